package io.promptq.cli.bench;

import java.time.Duration;
import java.util.Objects;

/**
 * The sizes of one benchmark run. {@link #standard()} completes in a few minutes on a 2-core machine,
 * {@link #quick()} in about one (a smoke run: same scenarios, smaller samples, noisier ratios).
 *
 * @param name "standard" or "quick", printed with the results
 * @param partitions partitions of every scenario's jobs and results topics (P)
 * @param rawMessages records of the raw Kafka baseline (after a warm-up of a tenth as many)
 * @param noopJobs jobs of the no-op scenario (after a warm-up of a quarter as many)
 * @param noopPermits K in the no-op scenario (the worker-wide cap is P × K)
 * @param providerLatency the simulated provider's fixed latency in the latency-bound scenarios
 * @param latencyPermits K in the latency-bound and added-latency scenarios (cap P × K, one worker)
 * @param latencyBoundRun how long the latency-bound backlog lasts at full capacity (its size follows)
 * @param addedLatencyLoad offered load of the added-latency scenario, as a fraction of the measured saturation
 * @param addedLatencyRun how long jobs are offered at that load
 * @param scalingWorkerCap each worker's max in-flight cap in the scaling scenario (the bottleneck by design)
 * @param scalingRun how long each scaling round's backlog lasts at full capacity
 * @param inFlightJobs jobs one worker holds in flight in the memory scenario
 * @param inFlightLatency the provider latency that keeps them in flight while the heap is measured
 */
public record BenchPlan(
        String name,
        int partitions,
        int rawMessages,
        int noopJobs,
        int noopPermits,
        Duration providerLatency,
        int latencyPermits,
        Duration latencyBoundRun,
        double addedLatencyLoad,
        Duration addedLatencyRun,
        int scalingWorkerCap,
        Duration scalingRun,
        int inFlightJobs,
        Duration inFlightLatency) {

    public BenchPlan {
        Objects.requireNonNull(name, "name");
        positive("partitions", partitions);
        positive("rawMessages", rawMessages);
        positive("noopJobs", noopJobs);
        positive("noopPermits", noopPermits);
        positive("providerLatency", providerLatency);
        positive("latencyPermits", latencyPermits);
        positive("latencyBoundRun", latencyBoundRun);
        if (!(addedLatencyLoad > 0 && addedLatencyLoad <= 1)) {
            throw new IllegalArgumentException("addedLatencyLoad must be in (0, 1], but was " + addedLatencyLoad);
        }
        positive("addedLatencyRun", addedLatencyRun);
        positive("scalingWorkerCap", scalingWorkerCap);
        positive("scalingRun", scalingRun);
        positive("inFlightJobs", inFlightJobs);
        positive("inFlightLatency", inFlightLatency);
        if (scalingWorkerCap > partitions * latencyPermits / 2) {
            throw new IllegalArgumentException("scalingWorkerCap " + scalingWorkerCap + " must not exceed half of P x K = "
                    + partitions * latencyPermits + " / 2, or a worker would not be the bottleneck with 2 workers");
        }
    }

    /** The default run: about 2-3 minutes on 2 cores, broker start-up included. */
    public static BenchPlan standard() {
        return new BenchPlan("standard", 12, 200_000, 60_000, 20, Duration.ofMillis(200), 10, Duration.ofSeconds(15),
                0.5, Duration.ofSeconds(15), 20, Duration.ofSeconds(10), 10_000, Duration.ofSeconds(30));
    }

    /** A smoke run of about a minute: the same scenarios on smaller samples. */
    public static BenchPlan quick() {
        return new BenchPlan("quick", 12, 30_000, 3_000, 20, Duration.ofMillis(200), 10, Duration.ofSeconds(3),
                0.5, Duration.ofSeconds(3), 20, Duration.ofSeconds(3), 10_000, Duration.ofSeconds(15));
    }

    /** Jobs a worker may run at once in the latency-bound scenarios: P × K. */
    public int latencyBoundCap() {
        return partitions * latencyPermits;
    }

    /** The latency-bound scenario's theoretical capacity, jobs/s. */
    public double latencyBoundCapacity() {
        return BenchMath.capacity(partitions, latencyPermits, providerLatency);
    }

    /** Jobs of the latency-bound backlog: capacity × run time. */
    public int latencyBoundJobs() {
        return jobsFor(latencyBoundCapacity(), latencyBoundRun);
    }

    /** The capacity of {@code workers} workers in the scaling scenario, jobs/s: workers × cap ÷ latency. */
    public double scalingCapacity(int workers) {
        return BenchMath.capacity(workers, scalingWorkerCap, providerLatency);
    }

    /** Jobs of one scaling round with {@code workers} workers. */
    public int scalingJobs(int workers) {
        return jobsFor(scalingCapacity(workers), scalingRun);
    }

    private static int jobsFor(double perSecond, Duration run) {
        return (int) Math.max(1, Math.round(perSecond * run.toMillis() / 1000.0));
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, but was " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
    }
}
