package io.promptq.aggregator.fleet;

import io.promptq.aggregator.JobStatsView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Body of {@code GET /v1/console/overview}: the last 15 minutes from the windows of the overall scope, the all-time
 * totals and the workers' lag.
 *
 * @param submittedPerSecond jobs written to the jobs topic per second, from its end offsets sampled by this instance
 * @param finishedPerSecond terminal outcomes per second, one point per window (its start)
 * @param rates share of the outcomes of the period that succeeded, were dead-lettered or expired (0 to 1)
 * @param latency provider latency percentiles per window (ms)
 * @param retries retries of the period (sum over jobs of attempts - 1)
 * @param tokens tokens of the period
 * @param totals all-time totals, equal to {@code GET /v1/stats/totals}
 * @param lag the workers' lag per partition of the jobs topic and the retry tiers
 */
public record Overview(List<Point> submittedPerSecond, List<Point> finishedPerSecond, Rates rates,
        List<LatencyPoint> latency, long retries, Tokens tokens, Totals totals, List<PartitionLag> lag) {

    /** How far back the overview looks. */
    public static final Duration PERIOD = Duration.ofMinutes(15);

    public record Point(long at, double value) {}

    public record Rates(double succeeded, double deadLettered, double expired) {}

    public record LatencyPoint(long at, double p50, double p95, double p99) {}

    public record Tokens(long prompt, long completion) {}

    public record Totals(long total, long succeeded, long deadLettered, long expired, long cancelled) {}

    /** A sample of the jobs topic's end offsets (summed over partitions) at {@code at} (epoch millis). */
    public record Sample(long at, long endOffsets) {}

    /**
     * The overview from the overall scope's {@code windows} (oldest first), each {@code window} long, the all-time
     * {@code totals}, the jobs topic's end-offset {@code samples} (oldest first) and the {@code lag}.
     */
    public static Overview of(List<JobStatsView> windows, Duration window, JobStatsView totals, List<Sample> samples,
            List<PartitionLag> lag) {
        double windowSeconds = window.toMillis() / 1000.0;
        List<Point> finished = new ArrayList<>(windows.size());
        List<LatencyPoint> latency = new ArrayList<>(windows.size());
        long total = 0;
        long succeeded = 0;
        long deadLettered = 0;
        long expired = 0;
        long retries = 0;
        long prompt = 0;
        long completion = 0;
        for (JobStatsView w : windows) {
            long at = Instant.parse(w.windowStart()).toEpochMilli();
            finished.add(new Point(at, w.total() / windowSeconds));
            JobStatsView.Latency l = w.providerLatency();
            latency.add(new LatencyPoint(at, l.p50Ms(), l.p95Ms(), l.p99Ms()));
            total += w.total();
            succeeded += w.succeeded();
            deadLettered += w.deadLettered();
            expired += w.expired();
            retries += w.totalRetries();
            prompt += w.promptTokens();
            completion += w.completionTokens();
        }
        List<Point> submitted = new ArrayList<>(Math.max(0, samples.size() - 1));
        for (int i = 1; i < samples.size(); i++) {
            Sample before = samples.get(i - 1);
            Sample now = samples.get(i);
            long millis = now.at() - before.at();
            if (millis > 0) {
                submitted.add(new Point(now.at(), Math.max(0, now.endOffsets() - before.endOffsets()) * 1000.0 / millis));
            }
        }
        Rates rates = total == 0 ? new Rates(0, 0, 0)
                : new Rates((double) succeeded / total, (double) deadLettered / total, (double) expired / total);
        return new Overview(submitted, finished, rates, latency, retries, new Tokens(prompt, completion),
                new Totals(totals.total(), totals.succeeded(), totals.deadLettered(), totals.expired(), totals.cancelled()),
                lag);
    }
}
