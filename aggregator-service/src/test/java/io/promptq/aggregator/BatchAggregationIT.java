package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.batch.BatchAttributes;
import io.promptq.config.ConfigSource;
import io.promptq.batch.BatchIds;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batches through the real aggregator (two instances, a real broker and registry), fed directly with batch events
 * and job results as the producer's submitter and the workers would write them; output files go to an in-memory
 * file store.
 */
@PromptqCluster
class BatchAggregationIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "acme";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBatchsResultsBecomeCountsThenOutputAndErrorFilesAnsweredByEitherInstance(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster);
                FileStore files = FileStore.inMemory(FilesConfig.defaults());
                KafkaProducer<String, BatchEvent> events = new KafkaProducer<>(
                        KafkaSettings.of(cluster.bootstrapServers()).producerConfig("it-batches-" + it.suffix),
                        it.topics.batches().keySerializer(), it.topics.batches().valueSerializer())) {
            String appId = "agg-batch-" + it.suffix;
            batchesTopic = it.names.batches();
            try (AggregatorService a = AggregatorService.start(it.config(appId, tmp.resolve("a")),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC(), files);
                    AggregatorService b = AggregatorService.start(it.config(appId, tmp.resolve("b")),
                            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC(), files)) {
                a.awaitRunning(TIMEOUT);
                b.awaitRunning(TIMEOUT);

                Instant created = Instant.now().minusSeconds(60);
                String batchId = BatchIds.newId(created);
                send(events, created(batchId, created));
                // the first half of the results arrives before VALIDATED
                List<JobResult> results = results(batchId);
                it.publish(results.subList(0, 100));
                send(events, event(batchId, BatchEventType.VALIDATED, created).setTotal(200).build());
                JsonNode progress = awaitBatch(a, batchId, TENANT, b2 -> b2.path("request_counts").path("completed").asInt()
                        + b2.path("request_counts").path("failed").asInt() == 100);
                assertThat(progress.path("status").asText()).isEqualTo("in_progress");
                assertThat(progress.path("request_counts").path("total").asInt()).isEqualTo(200);
                it.publish(results.subList(100, results.size())); // the rest, with duplicates

                JsonNode done = awaitBatch(b, batchId, TENANT, b2 -> b2.path("status").asText().equals("expired"));
                assertThat(done.path("request_counts").path("completed").asInt()).isEqualTo(150);
                assertThat(done.path("request_counts").path("failed").asInt()).isEqualTo(50);
                assertThat(done.path("output_file_id").asText()).isEqualTo(FileIds.output(batchId));
                assertThat(done.path("error_file_id").asText()).isEqualTo(FileIds.errors(batchId));
                assertThat(done.path("usage").path("input_tokens").asLong()).isEqualTo(150 * 10);
                assertThat(done.path("finalizing_at").isNull()).isFalse();
                assertThat(done.path("expired_at").isNull()).isFalse();
                assertThat(get(a, "/v1/batches/" + batchId + "?tenant=other").statusCode()).isEqualTo(404);

                List<JsonNode> output = lines(files, FileIds.output(batchId));
                List<JsonNode> errors = lines(files, FileIds.errors(batchId));
                assertThat(output).hasSize(150);
                assertThat(errors).hasSize(50);
                List<Integer> outputLines = output.stream().map(l -> lineOf(l.path("custom_id").asText())).toList();
                assertThat(outputLines).isSorted().allMatch(n -> n <= 150);
                assertThat(output).allMatch(l -> l.path("response").path("status_code").asInt() == 200
                        && l.path("response").path("body").path("object").asText().equals("chat.completion"));
                assertThat(errors).extracting(l -> l.path("error").path("code").asText())
                        .containsExactlyElementsOf(expectedErrorCodes());
                Set<String> customIds = new HashSet<>();
                output.forEach(l -> assertThat(customIds.add(l.path("custom_id").asText())).isTrue());
                errors.forEach(l -> assertThat(customIds.add(l.path("custom_id").asText())).isTrue());
                assertThat(customIds).hasSize(200);

                // more batches, spread over both instances: each is answered by either one (forwarding)
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    String id = BatchIds.newId(created.plusSeconds(i + 1));
                    ids.add(id);
                    send(events, created(id, created.plusSeconds(i + 1)));
                }
                for (String id : ids) {
                    awaitBatch(a, id, TENANT, batch -> batch.path("status").asText().equals("validating"));
                    awaitBatch(b, id, TENANT, batch -> batch.path("status").asText().equals("validating"));
                }
                // each batch is owned by one instance (it alone answers a forwarded, local-only query): both own some,
                // so each instance answered the other's batches above by forwarding
                Set<String> ownedByA = new HashSet<>();
                Set<String> ownedByB = new HashSet<>();
                for (String id : ids) {
                    boolean onA = getLocal(a, "/v1/batches/" + id + "?tenant=" + TENANT).statusCode() == 200;
                    boolean onB = getLocal(b, "/v1/batches/" + id + "?tenant=" + TENANT).statusCode() == 200;
                    assertThat(onA).as("batch %s owned by exactly one instance", id).isNotEqualTo(onB);
                    (onA ? ownedByA : ownedByB).add(id);
                }
                assertThat(ownedByA).isNotEmpty();
                assertThat(ownedByB).isNotEmpty();

                // the list: newest first, in pages chained by after
                List<String> expected = new ArrayList<>(ids.reversed());
                expected.add(batchId);
                List<String> listed = new ArrayList<>();
                String after = null;
                boolean more = true;
                while (more) {
                    JsonNode page = json(get(a, "/v1/batches?tenant=" + TENANT + "&limit=3"
                            + (after == null ? "" : "&after=" + after)));
                    page.path("data").forEach(batch -> listed.add(batch.path("id").asText()));
                    more = page.path("has_more").asBoolean();
                    after = page.path("last_id").asText();
                    assertThat(page.path("object").asText()).isEqualTo("list");
                }
                assertThat(listed).containsExactlyElementsOf(expected);
                assertThat(json(get(b, "/v1/batches?tenant=other")).path("data")).isEmpty();
            }
        }
    }

    @Test
    void batchQueriesFollowTheJobTokenRules(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster);
                FileStore files = FileStore.inMemory(FilesConfig.defaults());
                KafkaProducer<String, BatchEvent> events = new KafkaProducer<>(
                        KafkaSettings.of(cluster.bootstrapServers()).producerConfig("it-batches-auth-" + it.suffix),
                        it.topics.batches().keySerializer(), it.topics.batches().valueSerializer())) {
            batchesTopic = it.names.batches();
            Map<String, String> env = new HashMap<>(it.environment("agg-batch-auth-" + it.suffix, tmp.resolve("auth")));
            env.put(AggregatorConfig.AUTH_TOKENS.name(), "acme-token=acme,globex-token=globex");
            env.put(AggregatorConfig.OPERATOR_TOKENS.name(), "op-token");
            try (AggregatorService aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Clock.systemUTC(), files)) {
                aggregator.awaitRunning(TIMEOUT);
                Instant created = Instant.now();
                String batchId = BatchIds.newId(created);
                send(events, created(batchId, created));
                String one = "/v1/batches/" + batchId;
                await().atMost(TIMEOUT).ignoreExceptions().until(
                        () -> get(aggregator, one, "acme-token").statusCode() == 200);

                assertThat(get(aggregator, one, null).statusCode()).isEqualTo(401);
                assertThat(get(aggregator, "/v1/batches", null).statusCode()).isEqualTo(401);
                assertThat(get(aggregator, one, "globex-token").statusCode()).isEqualTo(404);
                assertThat(get(aggregator, one + "?tenant=acme", "globex-token").statusCode()).isEqualTo(404);
                assertThat(ids(json(get(aggregator, "/v1/batches", "acme-token")))).containsExactly(batchId);
                assertThat(ids(json(get(aggregator, "/v1/batches", "globex-token")))).isEmpty();
                assertThat(get(aggregator, "/v1/batches?tenant=acme", "globex-token").statusCode()).isEqualTo(404);
                assertThat(get(aggregator, one + "?tenant=acme", "op-token").statusCode()).isEqualTo(200);
                assertThat(ids(json(get(aggregator, "/v1/batches?tenant=acme", "op-token")))).containsExactly(batchId);
            }
        }
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(batch -> ids.add(batch.path("id").asText()));
        return ids;
    }

    private HttpResponse<String> get(AggregatorService instance, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(instance.url() + path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 150 succeeded (lines 1–150), 30 dead-lettered (151–180), 20 expired (181–200), plus duplicates. */
    private static List<JobResult> results(String batchId) {
        List<JobResult> results = new ArrayList<>();
        for (int line = 1; line <= 200; line++) {
            JobStatus status = line <= 150 ? JobStatus.SUCCEEDED : line <= 180 ? JobStatus.DEAD_LETTERED : JobStatus.EXPIRED;
            results.add(result(batchId, line, status));
        }
        List<JobResult> withDuplicates = new ArrayList<>(results);
        for (int line : new int[] {3, 120, 160, 199}) {
            withDuplicates.add(results.get(line - 1));
        }
        withDuplicates.add(result(batchId, 5, JobStatus.DEAD_LETTERED)); // a late failure of a line that succeeded
        return withDuplicates;
    }

    private static List<String> expectedErrorCodes() {
        List<String> codes = new ArrayList<>();
        for (int line = 151; line <= 200; line++) {
            codes.add(line <= 180 ? "invalid_request" : "batch_expired");
        }
        return codes;
    }

    private static JobResult result(String batchId, int line, JobStatus status) {
        String jobId = batchId + "-job-" + line;
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BatchAttributes.BATCH_ID, batchId);
        attributes.put(BatchAttributes.CUSTOM_ID, "req-" + line);
        attributes.put(BatchAttributes.LINE, Integer.toString(line));
        JobResult base = Results.result(jobId, "gpt-test", TENANT, status, Instant.now(), 100, 10, 20, 50);
        return JobResult.newBuilder(base).setAttributes(attributes).setOutput(status == JobStatus.SUCCEEDED ? "ok" : null)
                .setError(status == JobStatus.DEAD_LETTERED ? ErrorInfo.newBuilder().setType("INVALID_REQUEST")
                        .setMessage("bad request").setRetryable(false).build() : null)
                .build();
    }

    private static int lineOf(String customId) {
        return Integer.parseInt(customId.substring("req-".length()));
    }

    private static BatchEvent created(String batchId, Instant created) {
        return event(batchId, BatchEventType.CREATED, created).setInputFileId("file-in").setEndpoint("/v1/chat/completions")
                .setCompletionWindow("24h").setExpiresAt(created.plus(Duration.ofHours(24))).build();
    }

    private static BatchEvent.Builder event(String batchId, BatchEventType type, Instant at) {
        return BatchEvent.newBuilder().setBatchId(batchId).setTenant(TENANT).setType(type).setAt(at);
    }

    private String batchesTopic;

    private void send(KafkaProducer<String, BatchEvent> producer, BatchEvent event) throws Exception {
        producer.send(new ProducerRecord<>(batchesTopic, event.getBatchId(), event)).get();
    }

    private JsonNode awaitBatch(AggregatorService instance, String batchId, String tenant,
            java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            HttpResponse<String> response = get(instance, "/v1/batches/" + batchId + "?tenant=" + tenant);
            if (response.statusCode() != 200) {
                return false;
            }
            last[0] = JSON.readTree(response.body());
            return done.test(last[0]);
        });
        return last[0];
    }

    private HttpResponse<String> get(AggregatorService instance, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(instance.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A query as another instance forwards it: answered from this instance's own stores only. */
    private HttpResponse<String> getLocal(AggregatorService instance, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(instance.url() + path))
                .header("X-Promptq-Forwarded", "true").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<JsonNode> lines(FileStore files, String fileId) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (InputStream in = files.open(files.get(TENANT, fileId).orElseThrow())) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
