package io.promptq.cli.bench.internal;

import io.promptq.cli.bench.BenchMath;
import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scenarios 3 and 4 on one stack: one worker, P partitions × K permits (cap P × K), the simulated provider at a
 * fixed latency, no aggregator.
 * <ul>
 *   <li>Latency-bound: a backlog of capacity × run-time jobs is submitted at once; the steady-state rate (results
 *       between the 10th and 90th percentile of arrival times) ÷ (P × K ÷ latency) is the efficiency.</li>
 *   <li>Added latency: jobs are offered at a fraction of the measured saturation, evenly spaced; per job, submit →
 *       provider call start, and (submit → result readable) minus the provider's own time.</li>
 * </ul>
 */
public final class LatencyScenarios {

    /** Results of the two scenarios; either may be null when not asked for. */
    public record Results(BenchReport.LatencyBound latencyBound, BenchReport.AddedLatency addedLatency) {}

    private LatencyScenarios() {}

    public static Results run(BenchCluster bench, BenchPlan plan, boolean bound, boolean added, Consumer<String> log)
            throws InterruptedException {
        int p = plan.partitions();
        int k = plan.latencyPermits();
        StackSpec spec = StackSpec.of(p, k, plan.latencyBoundCap(), plan.providerLatency());
        try (ScenarioStack stack = ScenarioStack.start(bench, "latency", spec)) {
            stack.addWorker();
            stack.awaitBalanced();
            try (ResultCollector results = stack.collectResults()) {
                int warm = plan.latencyBoundCap();
                stack.submitter("warm").burst(warm);
                results.await(warm, Duration.ofMinutes(1), "latency-bound warm-up");
            }
            BenchReport.LatencyBound boundResult = null;
            if (bound) {
                int n = plan.latencyBoundJobs();
                log.accept(String.format("  latency-bound: %,d jobs, 1 worker, P=%d x K=%d, provider fixed %d ms (capacity %.0f jobs/s) ...",
                        n, p, k, plan.providerLatency().toMillis(), plan.latencyBoundCapacity()));
                CallTimings calls = new CallTimings();
                stack.provider().addObserver(calls);
                try (ResultCollector results = stack.collectResults()) {
                    stack.submitter("bound").burst(n);
                    results.await(n, NoopScenario.timeout(n).plus(plan.latencyBoundRun().multipliedBy(3)), "latency-bound");
                    boundResult = latencyBound(plan, n, results.arrivalTimes(), calls);
                } finally {
                    stack.provider().removeObserver(calls);
                }
            }
            BenchReport.AddedLatency addedResult = null;
            if (added) {
                double saturation = boundResult == null || Double.isNaN(boundResult.jobsPerSec())
                        ? plan.latencyBoundCapacity()
                        : Math.min(boundResult.jobsPerSec(), plan.latencyBoundCapacity());
                addedResult = addedLatency(stack, plan, saturation * plan.addedLatencyLoad(), log);
            }
            return new Results(boundResult, addedResult);
        }
    }

    /** Steady-state rate, and over the same window the permit utilization and the mean provider call time. */
    private static BenchReport.LatencyBound latencyBound(BenchPlan plan, int n, long[] arrivals, CallTimings calls) {
        List<long[]> intervals = new ArrayList<>();
        for (Map.Entry<String, Long> e : calls.starts().entrySet()) {
            Long end = calls.ends().get(e.getKey());
            if (end != null) {
                intervals.add(new long[] {e.getValue(), end});
            }
        }
        long[] starts = intervals.stream().mapToLong(i -> i[0]).toArray();
        long[] ends = intervals.stream().mapToLong(i -> i[1]).toArray();
        long[] durations = intervals.stream().mapToLong(i -> i[1] - i[0]).toArray();
        long from = BenchMath.quantileTime(arrivals, 0.1);
        long to = BenchMath.quantileTime(arrivals, 0.9);
        return new BenchReport.LatencyBound(n, plan.partitions(), plan.latencyPermits(), plan.providerLatency(),
                BenchMath.steadyRate(arrivals, 0.1, 0.9),
                BenchMath.busyFraction(starts, ends, from, to, plan.latencyBoundCap()),
                BenchMath.millis(BenchMath.mean(durations)));
    }

    private static BenchReport.AddedLatency addedLatency(ScenarioStack stack, BenchPlan plan, double rate,
            Consumer<String> log) throws InterruptedException {
        log.accept(String.format("  added latency: %.0f jobs/s for %d s (%.0f%% of saturation) ...", rate,
                plan.addedLatencyRun().toSeconds(), plan.addedLatencyLoad() * 100));
        CallTimings calls = new CallTimings();
        stack.provider().addObserver(calls);
        try (ResultCollector results = stack.collectResults()) {
            Submitter submitter = stack.submitter("added");
            int n = submitter.paced(rate, plan.addedLatencyRun());
            results.await(n, NoopScenario.timeout(n), "added latency");
            List<JobTiming> jobs = new ArrayList<>();
            Map<String, Long> arrivals = results.arrivals();
            for (Map.Entry<String, Long> e : submitter.submitted().entrySet()) {
                Long start = calls.starts().get(e.getKey());
                Long end = calls.ends().get(e.getKey());
                Long arrived = arrivals.get(e.getKey());
                Integer partition = submitter.partitions().get(e.getKey());
                if (start != null && end != null && arrived != null && partition != null) {
                    jobs.add(new JobTiming(partition, e.getValue(), start, end, arrived));
                }
            }
            return summarize(rate, n, jobs, plan.latencyPermits());
        } finally {
            stack.provider().removeObserver(calls);
        }
    }

    /** One job's way, {@link System#nanoTime()} scale: submitted, provider call start and end, result read. */
    record JobTiming(int partition, long submitted, long callStart, long callEnd, long resultRead) {}

    /**
     * Percentiles of submit → call start and of (submit → result) − provider time; a job counts as queued when, at
     * its submission, {@code permits} jobs of its partition were between call start and result (holding a permit).
     */
    static BenchReport.AddedLatency summarize(double rate, int submitted, List<JobTiming> jobs, int permits) {
        Map<Integer, List<JobTiming>> byPartition = new HashMap<>();
        for (JobTiming j : jobs) {
            byPartition.computeIfAbsent(j.partition(), p -> new ArrayList<>()).add(j);
        }
        long[] toCall = new long[jobs.size()];
        long[] overhead = new long[jobs.size()];
        List<Long> unqueued = new ArrayList<>();
        int queued = 0;
        for (int i = 0; i < jobs.size(); i++) {
            JobTiming j = jobs.get(i);
            toCall[i] = j.callStart() - j.submitted();
            overhead[i] = (j.resultRead() - j.submitted()) - (j.callEnd() - j.callStart());
            int busy = 0;
            for (JobTiming other : byPartition.get(j.partition())) {
                if (other != j && other.callStart() <= j.submitted() && j.submitted() < other.resultRead()) {
                    busy++;
                }
            }
            if (busy >= permits) {
                queued++;
            } else {
                unqueued.add(toCall[i]);
            }
        }
        long[] u = unqueued.stream().mapToLong(Long::longValue).toArray();
        return new BenchReport.AddedLatency(rate, submitted,
                BenchMath.millis(BenchMath.percentile(toCall, 0.5)), BenchMath.millis(BenchMath.percentile(toCall, 0.99)),
                BenchMath.millis(BenchMath.percentile(overhead, 0.5)), BenchMath.millis(BenchMath.percentile(overhead, 0.99)),
                jobs.isEmpty() ? Double.NaN : queued / (double) jobs.size(), BenchMath.millis(BenchMath.percentile(u, 0.99)));
    }
}
