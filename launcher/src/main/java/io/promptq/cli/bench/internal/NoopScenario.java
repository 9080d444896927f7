package io.promptq.cli.bench.internal;

import io.promptq.cli.bench.BenchMath;
import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import io.promptq.cli.bench.CpuBreakdown;
import io.promptq.client.ClientConfig;
import io.promptq.worker.WorkerConfig;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Scenario 2, no-op jobs: the simulated provider answers at once, so the jobs/s measure promptq's own cost per
 * job. One worker (K permits per partition, cap P × K) and the aggregator run; N jobs are submitted as fast as the
 * client accepts them; rate = N ÷ (first submit → N-th terminal result readable on the results topic). CPU is the
 * whole process's (broker, client, worker, aggregator, result reader) over the same span. A warm-up of N/4 jobs
 * runs first (the JIT must be warm, or the ratio measures compilation).
 */
public final class NoopScenario {

    private NoopScenario() {}

    /**
     * @param states whether job states are written (QUEUED by the client, RUNNING/RETRYING by the worker), as by
     *     default; false measures the same jobs without them
     */
    public static BenchReport.Noop run(BenchCluster bench, BenchPlan plan, boolean states, Consumer<String> log)
            throws InterruptedException {
        int p = plan.partitions();
        int k = plan.noopPermits();
        StackSpec spec = StackSpec.of(p, k, p * k, Duration.ZERO).toBuilder().aggregator(true)
                .workerEnv(states ? Map.of() : Map.of(WorkerConfig.PUBLISH_STATES.name(), "false",
                        ClientConfig.PUBLISH_STATES.name(), "false"))
                .build();
        try (ScenarioStack stack = ScenarioStack.start(bench, states ? "noop" : "noop-no-states", spec)) {
            stack.addWorker();
            stack.awaitBalanced();
            int warm = Math.max(1, plan.noopJobs() / 4);
            try (ResultCollector results = stack.collectResults()) {
                stack.submitter("warm").burst(warm);
                results.await(warm, timeout(warm), "no-op warm-up");
            }
            int n = plan.noopJobs();
            log.accept(String.format("  %,d jobs, 1 worker, K=%d, %d partitions, aggregator running, job states %s ...",
                    n, k, p, states ? "on" : "off"));
            try (ResultCollector results = stack.collectResults()) {
                Submitter submitter = stack.submitter("run");
                ThreadCpu before = ThreadCpu.snapshot();
                submitter.burst(n);
                results.await(n, timeout(n), "no-op jobs");
                ThreadCpu after = ThreadCpu.snapshot();
                long cpu = after.processSince(before);
                long nanos = results.lastArrivalNanos() - submitter.firstSubmitNanos();
                return new BenchReport.Noop(n, p, k, 1, BenchMath.perSecond(n, nanos),
                        BenchMath.cpuSecondsPerThousand(cpu, n), results.notSucceeded(),
                        CpuBreakdown.of(after.since(before), cpu, n));
            }
        }
    }

    /** Generous: 2 minutes plus 10 ms per job. */
    static Duration timeout(int jobs) {
        return Duration.ofMinutes(2).plusMillis(10L * jobs);
    }
}
