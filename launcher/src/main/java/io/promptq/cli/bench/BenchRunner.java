package io.promptq.cli.bench;

import io.promptq.cli.bench.internal.BenchCluster;
import io.promptq.cli.bench.internal.LatencyScenarios;
import io.promptq.cli.bench.internal.MemoryScenario;
import io.promptq.cli.bench.internal.NoopScenario;
import io.promptq.cli.bench.internal.RawKafkaScenario;
import io.promptq.cli.bench.internal.ScalingScenario;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs the benchmark scenarios one after another on one local cluster (each on its own topics and consumer
 * group) and collects a {@link BenchReport}.
 *
 * <pre>{@code
 * BenchReport report = BenchRunner.run(BenchPlan.standard(), Scenario.defaults(), Map.of(), System.out::println);
 * System.out.println(report.toTable());
 * }</pre>
 */
public final class BenchRunner {

    private BenchRunner() {}

    /**
     * Starts a local cluster, runs {@code scenarios} (in {@link Scenario} order), stops the cluster.
     *
     * @param overrides configuration entries (env keys) applied to every service, e.g. to compare
     *     {@code PROMPTQ_WORKER_GROUP_PROTOCOL=classic} with the default; a scenario's own keys win
     * @param log progress lines
     */
    public static BenchReport run(BenchPlan plan, Set<Scenario> scenarios, Map<String, String> overrides, Consumer<String> log)
            throws InterruptedException {
        Objects.requireNonNull(plan, "plan");
        Set<Scenario> todo = scenarios.isEmpty() ? EnumSet.noneOf(Scenario.class) : EnumSet.copyOf(scenarios);
        BenchReport.Raw raw = null;
        BenchReport.Noop noop = null;
        BenchReport.Noop noopNoStates = null;
        LatencyScenarios.Results latency = new LatencyScenarios.Results(null, null);
        BenchReport.Scaling scaling = null;
        BenchReport.Memory memory = null;
        int step = 0;
        int steps = todo.size() - (todo.contains(Scenario.LATENCY) && todo.contains(Scenario.ADDED_LATENCY) ? 1 : 0);
        try (BenchCluster bench = BenchCluster.start(overrides, log)) {
            if (todo.contains(Scenario.RAW)) {
                log.accept(header(++step, steps, Scenario.RAW));
                raw = RawKafkaScenario.run(bench, plan, log);
            }
            if (todo.contains(Scenario.NOOP)) {
                log.accept(header(++step, steps, Scenario.NOOP));
                noop = NoopScenario.run(bench, plan, true, log);
            }
            if (todo.contains(Scenario.NOOP_NO_STATES)) {
                log.accept(header(++step, steps, Scenario.NOOP_NO_STATES));
                noopNoStates = NoopScenario.run(bench, plan, false, log);
            }
            boolean bound = todo.contains(Scenario.LATENCY);
            boolean added = todo.contains(Scenario.ADDED_LATENCY);
            if (bound || added) {
                log.accept(header(++step, steps, bound ? Scenario.LATENCY : Scenario.ADDED_LATENCY)
                        + (bound && added ? " + " + Scenario.ADDED_LATENCY.title() : ""));
                latency = LatencyScenarios.run(bench, plan, bound, added, log);
            }
            if (todo.contains(Scenario.SCALING)) {
                log.accept(header(++step, steps, Scenario.SCALING));
                scaling = ScalingScenario.run(bench, plan, log);
            }
            if (todo.contains(Scenario.MEMORY)) {
                log.accept(header(++step, steps, Scenario.MEMORY));
                memory = MemoryScenario.run(bench, plan, log);
            }
        }
        return new BenchReport(plan.name(), Runtime.getRuntime().availableProcessors(), overrides, raw, noop,
                latency.latencyBound(), latency.addedLatency(), scaling, memory, noopNoStates);
    }

    private static String header(int step, int steps, Scenario scenario) {
        return String.format(Locale.ROOT, "[%d/%d] %s", step, steps, scenario.title());
    }
}
