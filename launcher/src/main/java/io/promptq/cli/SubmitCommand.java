package io.promptq.cli;

import io.promptq.cli.internal.StatusLine;
import io.promptq.client.ClientConfig;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.loadgen.LoadGenerator;
import io.promptq.producer.loadgen.LoadOptions;
import io.promptq.producer.loadgen.LoadSummary;
import io.promptq.producer.loadgen.LoadTarget;
import io.promptq.topic.SchemaRegistryKeys;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The load generator: publishes prompt jobs to a producer service over HTTP, or straight to Kafka. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Publish prompt jobs (load generator) to a producer service or straight to Kafka.")
public final class SubmitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true)
    Target target = new Target();

    static final class Target {
        @Option(names = "--producer-url", description = "Producer service base URL (default: http://127.0.0.1:8080).")
        URI producerUrl;

        @Option(names = "--bootstrap-servers", description = "Publish straight to Kafka at these brokers instead of HTTP.")
        String bootstrapServers;
    }

    @Option(names = "--schema-registry", defaultValue = "${env:PROMPTQ_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL, with --bootstrap-servers (default: ${DEFAULT-VALUE}).")
    String schemaRegistry;

    @Option(names = {"-n", "--jobs"}, defaultValue = "1000", description = "Jobs to publish (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--rate", defaultValue = "0", description = "Target jobs per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--max-in-flight", defaultValue = "" + LoadOptions.DEFAULT_MAX_IN_FLIGHT,
            description = "Most requests or sends outstanding at once (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--batch-size", defaultValue = "1", description = "Jobs per HTTP request; > 1 uses /v1/jobs/batch.")
    int batchSize;

    @Option(names = "--prompts", description = "JSONL file of jobs (as in the HTTP API), cycled through.")
    Path prompts;

    @Option(names = "--tenant", description = "Tenant of the jobs.")
    String tenant;

    @Option(names = "--model", defaultValue = LoadOptions.DEFAULT_MODEL, description = "Model of the jobs (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--max-tokens", defaultValue = "" + LoadOptions.DEFAULT_MAX_TOKENS, description = "maxTokens of the jobs.")
    int maxTokens;

    @Option(names = "--token", defaultValue = "${env:PROMPTQ_TOKEN}", description = "Bearer token for the producer's API.")
    String token;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LoadOptions.Builder builder = LoadOptions.builder(jobs)
                .ratePerSecond(rate)
                .maxInFlight(maxInFlight)
                .batchSize(batchSize)
                .model(model)
                .maxTokens(maxTokens)
                .tenant(tenant);
        if (prompts != null) {
            builder.promptsFile(prompts);
        }
        LoadOptions options = builder.build();
        LoadTarget loadTarget = loadTarget();
        out.println("Submitting " + jobs + " jobs to " + loadTarget + " ...");
        out.flush();
        LoadGenerator generator = LoadGenerator.create(options, loadTarget);
        Thread stopper = new Thread(generator::stop, "promptq-submit-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        LoadSummary summary;
        try (StatusLine status = StatusLine.open("submit", jobs)) {
            summary = generator.run(p -> status.update(p.completed(), String.format(Locale.ROOT,
                    "accepted %d  rejected %d  %.0f jobs/s", p.accepted(), p.rejected(),
                    p.elapsed().toMillis() == 0 ? 0.0 : p.accepted() * 1000.0 / p.elapsed().toMillis())));
        } finally {
            removeHook(stopper);
        }
        out.printf(Locale.ROOT, "accepted %d, rejected %d %s in %.2f s: %.0f jobs/s (request latency p50 %.1f ms, p99 %.1f ms)%n",
                summary.accepted(), summary.rejected(), summary.rejectedByReason().isEmpty() ? "" : summary.rejectedByReason(),
                summary.elapsed().toMillis() / 1000.0, summary.acceptedPerSecond(),
                summary.latency().p50Ms(), summary.latency().p99Ms());
        out.flush();
        return summary.rejected() == 0 ? 0 : 2;
    }

    private LoadTarget loadTarget() {
        if (target.bootstrapServers != null) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), target.bootstrapServers);
            env.put(SchemaRegistryKeys.URL.name(), schemaRegistry);
            return LoadTarget.kafka(ClientConfig.from(ConfigSource.of(env)));
        }
        URI url = target.producerUrl == null ? URI.create("http://127.0.0.1:8080") : target.producerUrl;
        LoadTarget.Http http = (LoadTarget.Http) LoadTarget.http(url);
        return token == null || token.isBlank() ? http : http.withBearerToken(token);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already stopping; the hook runs anyway.
        }
    }
}
