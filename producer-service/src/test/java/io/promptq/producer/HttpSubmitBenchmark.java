package io.promptq.producer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ValidationRules;
import io.promptq.local.LocalCluster;
import io.promptq.producer.loadgen.LoadGenerator;
import io.promptq.producer.loadgen.LoadOptions;
import io.promptq.producer.loadgen.LoadSummary;
import io.promptq.producer.loadgen.LoadTarget;
import java.net.URI;
import java.time.Duration;

/**
 * Benchmark (not a test) of HTTP submission throughput: a local broker and registry, the producer service,
 * and {@link LoadGenerator} posting jobs with a fixed number of concurrent clients. Also measures batched HTTP
 * and direct Kafka publishing for comparison. Everything shares one JVM and this machine's cores, so compare
 * the numbers with each other rather than across machines.
 *
 * <p>Run: {@code ./mvnw -pl producer-service exec:java [-Dexec.args="20000 32"]} (requests, concurrent clients).
 */
public final class HttpSubmitBenchmark {

    private HttpSubmitBenchmark() {}

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "io.promptq"));
        try (LocalCluster cluster = LocalCluster.start()) {
            var config = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(),
                    ItSupport.uniqueTopics("bench"), ValidationRules.defaults(), Duration.ofSeconds(10))
                    .toBuilder().createTopics(true).topicPartitions(6).build();
            try (ProducerService service = ProducerService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                LoadTarget http = LoadTarget.http(URI.create("http://127.0.0.1:" + service.port()));
                LoadOptions options = LoadOptions.builder(requests).maxInFlight(clients).tenant("bench").build();

                run("warm-up (HTTP, 3000 jobs)", LoadOptions.builder(3_000).maxInFlight(clients).build(), http);
                LoadSummary single = run("HTTP POST /v1/jobs, " + clients + " concurrent clients", options, http);
                LoadSummary batched = run("HTTP POST /v1/jobs/batch (100 per request), " + Math.max(1, clients / 8)
                        + " concurrent clients", options.toBuilder().batchSize(100).maxInFlight(Math.max(1, clients / 8)).build(), http);
                LoadSummary direct = run("PromptqClient straight to Kafka, " + clients * 8 + " in flight",
                        options.toBuilder().maxInFlight(clients * 8).build(), LoadTarget.client(service.client()));

                System.out.printf("%nRESULT HTTP single: %.0f jobs/s; batched: %.0f jobs/s (%.1fx); direct Kafka: %.0f jobs/s "
                                + "(%.1fx)%n", single.acceptedPerSecond(), batched.acceptedPerSecond(),
                        batched.acceptedPerSecond() / single.acceptedPerSecond(), direct.acceptedPerSecond(),
                        direct.acceptedPerSecond() / single.acceptedPerSecond());
            }
        }
    }

    private static LoadSummary run(String name, LoadOptions options, LoadTarget target) throws InterruptedException {
        long[] lastPrinted = {0};
        LoadSummary summary = LoadGenerator.create(options.toBuilder().progressInterval(Duration.ofSeconds(1)).build(), target)
                .run(progress -> {
                    if (progress.completed() != lastPrinted[0]) {
                        lastPrinted[0] = progress.completed();
                        System.out.printf("  %s: %d/%d answered%n", name, progress.completed(), progress.total());
                    }
                });
        System.out.printf("%s: %s%n", name, summary);
        if (summary.rejected() > 0) {
            throw new IllegalStateException(name + ": " + summary.rejected() + " jobs rejected " + summary.rejectedByReason());
        }
        return summary;
    }
}
