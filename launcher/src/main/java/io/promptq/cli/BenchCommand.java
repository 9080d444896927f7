package io.promptq.cli;

import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import io.promptq.cli.bench.BenchRunner;
import io.promptq.cli.bench.Scenario;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code promptq bench}: runs the performance scenarios on a real local broker in this JVM and prints their
 * ratios (see {@link BenchRunner}). The exit code is 0 when it ran, whether or not every target was met: the
 * targets are benchmarks, not assertions.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measure promptq on a real local Kafka broker, side by side in one run: raw Kafka vs. no-op jobs, "
                    + "latency-bound efficiency, added latency at half load, 1-2-3 worker scaling, heap per in-flight job.",
            "Takes about 2-3 minutes (--quick: about 1). Ratios matter; absolute numbers on a shared machine are noise."
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "Smoke run of about a minute: the same scenarios on smaller samples.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--scenario", split = ",", paramLabel = "NAME",
            description = "Run only these: raw, noop, latency, added-latency, scaling, memory (default: all of them), "
                    + "and the opt-in noop-no-states (no-op jobs with job states off, for their overhead: "
                    + "--scenario noop,noop-no-states).")
    List<String> scenarios;

    @Option(names = "--env", paramLabel = "KEY=VALUE",
            description = "Configuration for every service, e.g. --env PROMPTQ_WORKER_GROUP_PROTOCOL=classic to compare "
                    + "a setting with the default (the keys that define a scenario - topics, K, cap - are not overridden).")
    Map<String, String> env = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Set<Scenario> selected = Scenario.defaults();
        if (scenarios != null && !scenarios.isEmpty()) {
            selected = EnumSet.noneOf(Scenario.class);
            for (String s : scenarios) {
                selected.add(Scenario.parse(s));
            }
        }
        BenchPlan plan = quick ? BenchPlan.quick() : BenchPlan.standard();
        out.printf("promptq bench (%s plan, %d cores%s): ratios measured side by side in one run%n", plan.name(),
                Runtime.getRuntime().availableProcessors(), env.isEmpty() ? "" : ", with " + env);
        out.flush();
        long start = System.nanoTime();
        BenchReport report = BenchRunner.run(plan, selected, env, line -> {
            out.println(line);
            out.flush();
        });
        out.println();
        out.println(report.toTable());
        out.printf("%nfinished in %.0f s; %s%n", (System.nanoTime() - start) / 1e9,
                report.missed().isEmpty() ? "every measured target met" : report.missed().size() + " target(s) missed");
        if (json != null) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(json, report.toJson(), StandardCharsets.UTF_8);
            out.println("JSON written to " + json);
        }
        out.flush();
        return 0;
    }
}
