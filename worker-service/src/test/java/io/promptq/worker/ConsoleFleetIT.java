package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.SchemaRegistryKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's fleet views on the real broker and registry, with real workers and a real aggregator:
 * {@code GET /v1/console/workers} lists a running worker with its partitions, forgets one that stopped (tombstone)
 * and marks a killed one stale; {@code GET /v1/console/overview} counts what {@code /v1/stats/totals} counts, and
 * shows the workers' lag while jobs wait and none once they are done.
 */
@PromptqCluster
class ConsoleFleetIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void workersViewAndOverviewFollowRealWorkersAndTheirLag(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "fleet", 2, 1)) {
            cluster.createTopics(1, kit.names.workers());
            List<String> ids = kit.sendJobs("fleet", 20);
            try (AggregatorService aggregator = startAggregator(cluster, kit)) {
                String base = aggregator.url().toString();

                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(jobsLag(get(base + "/v1/console/overview")))
                        .as("jobs waiting before any worker runs").isEqualTo(20));

                Map<String, String> fast = Map.of(WorkerConfig.STATUS_INTERVAL.name(), "300ms");
                WorkerService w1 = kit.start("w1", fast, ItProvider.withLatency(Duration.ofMillis(5)));
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    JsonNode worker = worker(get(base + "/v1/console/workers"), "w1");
                    assertThat(worker).as("w1 listed").isNotNull();
                    assertThat(partitions(worker)).containsExactlyInAnyOrder(kit.names.jobs() + "-0",
                            kit.names.jobs() + "-1", kit.names.retry(0) + "-0", kit.names.retry(0) + "-1");
                    assertThat(worker.get("stale").asBoolean()).isFalse();
                });
                await().atMost(TIMEOUT).until(() -> kit.outcomes().hasAll(ids));

                await().atMost(TIMEOUT).untilAsserted(() -> {
                    JsonNode overview = get(base + "/v1/console/overview");
                    JsonNode totals = get(base + "/v1/stats/totals");
                    assertThat(overview.get("totals").get("total").asLong()).isEqualTo(20)
                            .isEqualTo(totals.get("total").asLong());
                    assertThat(overview.get("totals").get("succeeded").asLong()).isEqualTo(totals.get("succeeded").asLong());
                    assertThat(jobsLag(overview)).as("jobs waiting after all are done").isZero();
                    assertThat(overview.get("lag")).hasSize(4);
                    assertThat(overview.get("rates").get("succeeded").asDouble()).isEqualTo(1.0);
                    assertThat(overview.get("finishedPerSecond")).isNotEmpty();
                });

                WorkerService w2 = kit.start("w2", fast, ItProvider.withLatency(Duration.ofMillis(5)));
                await().atMost(TIMEOUT).until(() -> worker(get(base + "/v1/console/workers"), "w2") != null);
                w2.crash();
                await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
                        worker(get(base + "/v1/console/workers"), "w2").get("stale").asBoolean()).as("killed w2 stale")
                        .isTrue());

                w1.close();
                await().atMost(TIMEOUT).untilAsserted(() -> {
                    JsonNode workers = get(base + "/v1/console/workers");
                    assertThat(worker(workers, "w1")).as("w1 gone after its clean stop").isNull();
                    assertThat(worker(workers, "w2")).as("killed w2 still shown").isNotNull();
                });
            }
        }
    }

    private static AggregatorService startAggregator(ClusterInfo cluster, WorkerItKit kit) throws Exception {
        Map<String, String> env = new HashMap<>(kit.names.toConfig());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(AggregatorConfig.APPLICATION_ID.name(), kit.prefix + "-aggregator");
        env.put(AggregatorConfig.STATE_DIR.name(), Files.createTempDirectory("fleet-aggregator").toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "2");
        env.put(AggregatorConfig.WORKER_GROUP.name(), kit.groupId);
        AggregatorService aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        aggregator.awaitRunning(TIMEOUT);
        return aggregator;
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static JsonNode worker(JsonNode list, String workerId) {
        for (JsonNode w : list.get("workers")) {
            if (w.get("workerId").asText().equals(workerId)) {
                return w;
            }
        }
        return null;
    }

    private static List<String> partitions(JsonNode worker) {
        List<String> names = new ArrayList<>();
        worker.get("partitions").forEach(p -> names.add(p.get("topic").asText() + "-" + p.get("partition").asInt()));
        return names;
    }

    private long jobsLag(JsonNode overview) {
        long lag = 0;
        for (JsonNode p : overview.get("lag")) {
            if (!p.get("topic").asText().endsWith(".jobs")) {
                continue;
            }
            lag += p.get("lag").asLong();
        }
        return lag;
    }
}
