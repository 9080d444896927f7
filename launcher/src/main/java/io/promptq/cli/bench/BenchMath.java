package io.promptq.cli.bench;

import java.time.Duration;
import java.util.Arrays;

/**
 * The arithmetic of the benchmark, kept pure so that it can be tested: rates, capacities, efficiency,
 * percentiles and ratios. A value that cannot be computed (no samples, zero time) is {@link Double#NaN},
 * which the report prints as "-" and writes to JSON as {@code null}.
 */
public final class BenchMath {

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

    private BenchMath() {}

    /** {@code count} events in {@code nanos} nanoseconds, per second. */
    public static double perSecond(long count, long nanos) {
        return nanos <= 0 ? Double.NaN : count * NANOS_PER_SECOND / nanos;
    }

    /**
     * The most jobs per second a latency-bound deployment can finish: {@code partitions × permits} jobs in flight,
     * each taking {@code latency} (Little's law).
     */
    public static double capacity(int partitions, int permits, Duration latency) {
        if (latency.isZero() || latency.isNegative()) {
            return Double.NaN;
        }
        return partitions * (double) permits * NANOS_PER_SECOND / latency.toNanos();
    }

    /** Measured jobs/s ÷ {@link #capacity}: 1.0 means no time is lost outside the provider call. */
    public static double efficiency(double jobsPerSecond, int partitions, int permits, Duration latency) {
        return ratio(jobsPerSecond, capacity(partitions, permits, latency));
    }

    /** {@code a / b}, or NaN when either is NaN or b is zero. */
    public static double ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
    }

    /**
     * The steady-state rate of a stream of completions: events per second between the {@code from} and
     * {@code to} quantiles of their times (e.g. 0.1 and 0.9), which leaves out the ramp-up while the pipeline
     * fills and the tail while it drains.
     *
     * @param eventNanos completion times (any order, {@link System#nanoTime()} scale)
     */
    public static double steadyRate(long[] eventNanos, double from, double to) {
        if (!(from >= 0 && from < to && to <= 1)) {
            throw new IllegalArgumentException("need 0 <= from < to <= 1, but was " + from + ", " + to);
        }
        if (eventNanos.length < 2) {
            return Double.NaN;
        }
        long[] sorted = eventNanos.clone();
        Arrays.sort(sorted);
        int first = (int) Math.floor(from * (sorted.length - 1));
        int last = (int) Math.ceil(to * (sorted.length - 1));
        return perSecond(last - first, sorted[last] - sorted[first]);
    }

    /**
     * The quantile ({@code q} in 0..1, nearest rank) of {@code values} as an instant: e.g. the time by which 10% of
     * the completions had happened. NaN without values.
     */
    public static long quantileTime(long[] values, double q) {
        return (long) percentile(values, q);
    }

    /**
     * How busy {@code slots} servers were in the window [{@code from}, {@code to}): the sum of the intervals'
     * overlaps with the window divided by (window length × slots). E.g. the fraction of P × K permit-time spent
     * inside provider calls.
     */
    public static double busyFraction(long[] starts, long[] ends, long from, long to, int slots) {
        if (starts.length != ends.length) {
            throw new IllegalArgumentException("starts and ends differ in length");
        }
        if (to <= from || slots < 1) {
            return Double.NaN;
        }
        double busy = 0;
        for (int i = 0; i < starts.length; i++) {
            long a = Math.max(starts[i], from);
            long b = Math.min(ends[i], to);
            if (b > a) {
                busy += b - a;
            }
        }
        return busy / ((double) (to - from) * slots);
    }

    /** The mean of {@code values}; NaN without values. */
    public static double mean(long[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (long v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** The {@code q}-quantile (0..1) by nearest rank; NaN without values. */
    public static double percentile(long[] values, double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be in [0, 1], but was " + q);
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /** Nanoseconds as milliseconds. */
    public static double millis(double nanos) {
        return nanos / 1e6;
    }

    /** CPU seconds spent per 1,000 items, from a CPU-time delta in nanoseconds. */
    public static double cpuSecondsPerThousand(long cpuNanos, long items) {
        return items <= 0 || cpuNanos < 0 ? Double.NaN : cpuNanos / NANOS_PER_SECOND * 1000.0 / items;
    }

    /** Bytes as MiB. */
    public static double mib(long bytes) {
        return bytes / BYTES_PER_MIB;
    }
}
