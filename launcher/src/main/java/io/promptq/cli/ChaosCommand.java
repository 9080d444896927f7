package io.promptq.cli;

import io.promptq.cli.internal.chaos.ChaosReport;
import io.promptq.cli.internal.chaos.ChaosRun;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./promptq chaos}: a real multi-process deployment (3-broker cluster and registry and the provider stub in
 * this JVM; producer, workers and aggregator as child JVMs) takes N jobs over HTTP while a seeded schedule of faults
 * runs, then reports whether every accepted job got exactly one committed result. Exits 1 when anything is lost or
 * duplicated, the aggregator's total differs from the results, or lag remains.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Run N jobs through separate service processes while killing, scaling and starving them; check one job -> one result.")
public final class ChaosCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--jobs", defaultValue = "10000", description = "Jobs to submit (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--seed", description = "Seed of the fault schedule (default: random, printed).")
    @Nullable Long seed;

    @Option(names = "--json", description = "Write the report as JSON to this file.")
    @Nullable Path json;

    @Option(names = "--scale", description = "Fault durations and pacing as a fraction of full size (default: jobs/10000, at least 0.15, at most 1).")
    @Nullable Double scale;

    @Option(names = "--dir", description = "Working directory for cluster data and service logs (default: a new temporary directory).")
    @Nullable Path dir;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long s = seed != null ? seed : System.nanoTime();
        double f = scale != null ? scale : Math.clamp(jobs / 10_000.0, 0.15, 1.0);
        Path work = dir != null ? dir : Files.createTempDirectory("promptq-chaos");
        out.printf("promptq chaos: %d jobs, seed %d, scale %.2f, logs in %s%n", jobs, s, f, work.resolve("logs"));
        out.flush();
        ChaosReport report = new ChaosRun(jobs, s, f, work, out).run();
        out.print(report.table());
        if (json != null) {
            Files.writeString(json, report.toJson());
        }
        List<String> failures = report.failures();
        failures.forEach(x -> out.println("FAILED: " + x));
        out.println(failures.isEmpty() ? "chaos: PASSED" : "chaos: FAILED");
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }
}
