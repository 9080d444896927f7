package io.promptq.cli.bench.internal;

import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import io.promptq.llm.CallObserver;
import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.ProviderException;
import io.promptq.worker.WorkerConfig;
import io.promptq.worker.WorkerService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Scenario 6: the heap one worker needs per job in flight. One worker (K and cap raised to N + 1) runs against a
 * provider so slow (fixed latency of tens of seconds) that every job stays in flight. It first takes one job, so
 * that its schema cache, connections and code are warm; then the used heap after a full GC is taken (baseline).
 * N jobs follow; once N + 1 calls are inside the provider the used heap after GC is sampled twice and the larger
 * sample taken (peak). Delta = peak − baseline: the jobs' records, virtual threads (with their stacks), requests
 * and bookkeeping. The worker is then stopped without grace (the jobs are abandoned, nothing is published).
 */
public final class MemoryScenario {

    /** Fetched records held per partition here: large, so that 10k jobs are in flight within seconds. */
    private static final int BUFFER = 500;

    private MemoryScenario() {}

    /** Submits and forgets the submitter (its bookkeeping must not count as the worker's heap). */
    private static void submit(ScenarioStack stack, String phase, int jobs) throws InterruptedException {
        stack.submitter(phase).burst(jobs);
    }

    private static void awaitActive(ActiveCalls calls, int target, long deadlineNanos) throws InterruptedException {
        while (calls.active() < target && System.nanoTime() < deadlineNanos) {
            Thread.sleep(50);
        }
    }

    /** Counts provider calls in progress. */
    private static final class ActiveCalls implements CallObserver {
        private final AtomicInteger active = new AtomicInteger();

        @Override
        public void onCallStart(LlmRequest request) {
            active.incrementAndGet();
        }

        @Override
        public void onCallEnd(LlmRequest request, ProviderException failure) {
            active.decrementAndGet();
        }

        int active() {
            return active.get();
        }
    }

    public static BenchReport.Memory run(BenchCluster bench, BenchPlan plan, Consumer<String> log) throws InterruptedException {
        int n = plan.inFlightJobs();
        StackSpec spec = new StackSpec(plan.partitions(), n + 1, n + 1, BUFFER,
                LatencyDistribution.fixed(plan.inFlightLatency()), false,
                Map.of(WorkerConfig.SHUTDOWN_GRACE.name(), "0s", WorkerConfig.REVOKE_TIMEOUT.name(), "0s"));
        try (ScenarioStack stack = ScenarioStack.start(bench, "memory", spec)) {
            log.accept(String.format("  %,d jobs, 1 worker with K = cap = %,d, provider fixed %d s ...", n, n + 1,
                    plan.inFlightLatency().toSeconds()));
            ActiveCalls calls = new ActiveCalls();
            stack.provider().addObserver(calls);
            WorkerService worker = stack.addWorker();
            stack.awaitBalanced();
            // One job first, so that the worker's schema cache, connections and JIT are warm in the baseline.
            submit(stack, "warm", 1);
            awaitActive(calls, 1, System.nanoTime() + Duration.ofSeconds(30).toNanos());
            long baseline = CpuClock.usedHeapAfterGc();
            long started = System.nanoTime();
            submit(stack, "mem", n);
            // Dispatched is not enough: a started virtual thread holds little until it runs; wait for the calls.
            awaitActive(calls, n + 1, started + plan.inFlightLatency().minus(Duration.ofSeconds(5)).toNanos());
            log.accept(String.format("  %,d jobs in flight, %,d of them inside the provider call, after %.1f s; sampling the heap ...",
                    worker.inFlight() - 1, calls.active() - 1, (System.nanoTime() - started) / 1e9));
            long peak = 0;
            int reached = Integer.MAX_VALUE;
            for (int i = 0; i < 2; i++) {
                peak = Math.max(peak, CpuClock.usedHeapAfterGc());
                reached = Math.min(reached, Math.min(worker.inFlight(), calls.active()) - 1);
            }
            return new BenchReport.Memory(n, reached, baseline, peak);
        }
    }
}
