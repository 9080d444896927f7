package io.promptq.cli.bench.internal;

import io.promptq.cli.bench.BenchMath;
import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scenario 5: the latency-bound setup with each worker's in-flight cap set so low that the worker, not the
 * partitions, is the bottleneck (cap C &lt; P × K ÷ workers). Rounds with 1, 2 and 3 workers in one group (a worker
 * is added between rounds and the group rebalanced before the next); each round is a backlog of workers × C ÷
 * latency × run-time jobs, measured at steady state like the latency-bound scenario.
 */
public final class ScalingScenario {

    /** The largest group measured. */
    public static final int MAX_WORKERS = 3;

    private ScalingScenario() {}

    public static BenchReport.Scaling run(BenchCluster bench, BenchPlan plan, Consumer<String> log) throws InterruptedException {
        StackSpec spec = StackSpec.of(plan.partitions(), plan.latencyPermits(), plan.scalingWorkerCap(), plan.providerLatency());
        List<Double> rates = new ArrayList<>();
        try (ScenarioStack stack = ScenarioStack.start(bench, "scaling", spec)) {
            for (int workers = 1; workers <= MAX_WORKERS; workers++) {
                stack.addWorker();
                stack.awaitBalanced();
                if (workers == 1) {
                    try (ResultCollector results = stack.collectResults()) {
                        stack.submitter("warm").burst(plan.scalingWorkerCap());
                        results.await(plan.scalingWorkerCap(), Duration.ofMinutes(1), "scaling warm-up");
                    }
                }
                int n = plan.scalingJobs(workers);
                log.accept(String.format("  %d worker%s, cap %d each: %,d jobs (capacity %.0f jobs/s) ...", workers,
                        workers == 1 ? "" : "s", plan.scalingWorkerCap(), n, plan.scalingCapacity(workers)));
                try (ResultCollector results = stack.collectResults()) {
                    stack.submitter("w" + workers).burst(n);
                    results.await(n, NoopScenario.timeout(n).plus(plan.scalingRun().multipliedBy(3)), "scaling " + workers);
                    rates.add(BenchMath.steadyRate(results.arrivalTimes(), 0.1, 0.9));
                }
            }
        }
        return new BenchReport.Scaling(plan.scalingWorkerCap(), plan.providerLatency(), rates);
    }
}
