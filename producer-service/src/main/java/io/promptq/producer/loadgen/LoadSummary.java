package io.promptq.producer.loadgen;

import java.time.Duration;
import java.util.Map;

/**
 * The outcome of a {@link LoadGenerator} run.
 *
 * @param accepted jobs acknowledged
 * @param rejected jobs refused or failed
 * @param rejectedByReason rejected jobs by reason: {@code invalid}, {@code unauthorized}, {@code forbidden},
 *     {@code too_large}, {@code unsupported_media_type}, {@code unavailable}, {@code failed}, {@code io_error}
 *     or {@code http_<status>}
 * @param elapsed from the first dispatch to the last answer
 * @param latency time from dispatch to answer of each request (HTTP) or send (Kafka)
 * @param stopped whether the run was stopped before all jobs were dispatched
 */
public record LoadSummary(long accepted, long rejected, Map<String, Long> rejectedByReason, Duration elapsed,
        Latency latency, boolean stopped) {

    public LoadSummary {
        rejectedByReason = Map.copyOf(rejectedByReason);
    }

    /** Jobs answered (accepted or rejected). */
    public long completed() {
        return accepted + rejected;
    }

    /** The achieved rate of accepted jobs, per second. */
    public double acceptedPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : accepted / seconds;
    }

    /** The achieved rate of answered jobs, per second. */
    public double completedPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : completed() / seconds;
    }

    /**
     * Latency percentiles in milliseconds (HdrHistogram, 3 significant digits).
     *
     * @param count number of requests or sends measured
     */
    public record Latency(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs) {}

    @Override
    public String toString() {
        return String.format("accepted=%d rejected=%d %s in %.2fs (%.0f accepted/s) latency p50=%.2fms p90=%.2fms "
                        + "p99=%.2fms max=%.2fms%s", accepted, rejected, rejectedByReason, elapsed.toNanos() / 1e9,
                acceptedPerSecond(), latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.maxMs(),
                stopped ? " (stopped)" : "");
    }
}
