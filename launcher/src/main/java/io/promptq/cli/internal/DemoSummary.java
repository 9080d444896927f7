package io.promptq.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.aggregator.JobStatsView;
import java.time.Duration;
import java.util.Locale;

/**
 * What {@code promptq demo} reports, computed from the aggregator's all-time totals (not from the
 * workers' memory). Processing time is the provider call, one sample per attempt; the speed-up is the
 * sum of processing times divided by the wall time.
 */
public record DemoSummary(
        long jobs,
        long succeeded,
        long deadLettered,
        long expired,
        long totalRetries,
        long jobsRetried,
        long attempts,
        double avgProcessingMs,
        double p50ProcessingMs,
        double p95ProcessingMs,
        double p99ProcessingMs,
        double sumProcessingSeconds,
        double p95EndToEndMs,
        double wallSeconds,
        double jobsPerSecond,
        double speedup) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static DemoSummary of(JobStatsView totals, Duration wall) {
        double wallSeconds = wall.toMillis() / 1000.0;
        JobStatsView.Latency p = totals.providerLatency();
        double sumSeconds = p.sumMs() / 1000.0;
        return new DemoSummary(totals.total(), totals.succeeded(), totals.deadLettered(), totals.expired(),
                totals.totalRetries(), totals.jobsRetried(), totals.totalAttempts(),
                round(p.meanMs()), round(p.p50Ms()), round(p.p95Ms()), round(p.p99Ms()), round(sumSeconds),
                round(totals.endToEndLatency().p95Ms()), round(wallSeconds),
                round(totals.total() / Math.max(wallSeconds, 0.001)), round(sumSeconds / Math.max(wallSeconds, 0.001)));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String toText() {
        return String.format(Locale.ROOT, """

                promptq demo: %d jobs, read from the aggregator's totals
                  succeeded          %d
                  dead-lettered      %d
                  expired            %d
                  total retries      %d  (%d jobs needed a retry; %d provider attempts)
                  processing time    avg %.1f ms   p50 %.1f ms   p95 %.1f ms   p99 %.1f ms   (provider call, per attempt)
                  end-to-end p95     %.1f ms  (submit -> terminal result)
                  wall time          %.2f s  (%.1f jobs/s)
                  speed-up           %.1fx  (%.1f s of processing / %.2f s wall, vs one job after another)
                """,
                jobs, succeeded, deadLettered, expired, totalRetries, jobsRetried, attempts,
                avgProcessingMs, p50ProcessingMs, p95ProcessingMs, p99ProcessingMs, p95EndToEndMs,
                wallSeconds, jobsPerSecond, speedup, sumProcessingSeconds, wallSeconds);
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
