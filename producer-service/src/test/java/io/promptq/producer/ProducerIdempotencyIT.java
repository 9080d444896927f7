package io.promptq.producer;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientMetrics;
import io.promptq.client.JobIds;
import io.promptq.client.ValidationRules;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys through {@code POST /v1/jobs}: the real producer service on a free port, the real broker and
 * registry, and ledger entries written by the test as a worker writes them.
 */
@PromptqCluster
class ProducerIdempotencyIT {

    private ClusterInfo cluster;
    private TopicNames topics;
    private ProducerService service;
    private HttpTestClient http;
    private PrometheusMeterRegistry meters;

    @BeforeEach
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        topics = ItSupport.uniqueTopics("idempotency-it");
        startService();
    }

    @AfterEach
    void stop() {
        http.close();
        service.close();
    }

    @Test
    void fiveConcurrentSubmitsOfOneKeyGetTheSameJobIdAndWriteOneRecord() throws Exception {
        String body = job("concurrent", "Summarize the report.");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
            for (int i = 0; i < 5; i++) {
                responses.add(CompletableFuture.supplyAsync(() -> {
                    awaitLatch(go);
                    return http.postJson("/v1/jobs", body);
                }, pool));
            }
            go.countDown();
            CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }

        List<HttpResponse<String>> answers = responses.stream().map(CompletableFuture::join).toList();
        assertThat(answers).extracting(r -> json(r).path("jobId").asText())
                .containsOnly(JobIds.derive("acme", "concurrent").toString());
        assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 200, 200, 200, 200);
        assertThat(answers).filteredOn(r -> r.statusCode() == 200)
                .allSatisfy(r -> assertThat(json(r).path("duplicate").asBoolean()).isTrue());
        assertThat(ItSupport.recordCount(cluster.bootstrapServers(), topics.jobs())).isEqualTo(1);
    }

    @Test
    void aKeyInTheLedgerIsAnswered200WithoutWritingAndAnotherPayloadGets409() throws Exception {
        String jobId = JobIds.derive("acme", "from-ledger").toString();
        writeLedgerEntry(jobId, "from-ledger", PayloadHash.of(avro(jobId, "Translate this.")), 1, 77);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.get(ClientMetrics.IDEMPOTENCY_KEYS).gauge().value() >= 1);

        HttpResponse<String> same = http.postJson("/v1/jobs", job("from-ledger", "Translate this."));
        HttpResponse<String> other = http.postJson("/v1/jobs", job("from-ledger", "Translate that."));

        JsonNode receipt = json(same);
        assertThat(receipt.path("jobId").asText()).isEqualTo(jobId);
        assertThat(receipt.path("partition").asInt()).isEqualTo(1);
        assertThat(receipt.path("offset").asLong()).isEqualTo(77);
        assertThat(receipt.path("duplicate").asBoolean()).isTrue();
        assertConflict(other, jobId);
        assertThat(meters.get(ProducerMetrics.JOBS_DUPLICATE).counter().count()).isEqualTo(1);
        assertThat(meters.get(ProducerMetrics.JOBS_REJECTED).tag(ProducerMetrics.REASON, "conflict").counter().count())
                .isEqualTo(1);
        assertThat(ItSupport.recordCount(cluster.bootstrapServers(), topics.jobs())).isZero();
    }

    @Test
    void aRestartedServiceStillRefusesAnotherPayloadUnderAKeyInTheLedger() throws Exception {
        JsonNode written = json(http.postJson("/v1/jobs", job("restart", "Classify this ticket.")));
        String jobId = written.path("jobId").asText();
        writeLedgerEntry(jobId, "restart", PayloadHash.of(avro(jobId, "Classify this ticket.")),
                written.path("partition").asInt(), written.path("offset").asLong());
        http.close();
        service.close();

        startService();

        assertConflict(http.postJson("/v1/jobs", job("restart", "Classify this e-mail.")), jobId);
        HttpResponse<String> same = http.postJson("/v1/jobs", job("restart", "Classify this ticket."));
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(json(same).path("offset").asLong()).isEqualTo(written.path("offset").asLong());
        assertThat(ItSupport.recordCount(cluster.bootstrapServers(), topics.jobs())).isEqualTo(1);
    }

    private void startService() {
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        service = ProducerService.start(ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topics,
                ValidationRules.defaults(), Duration.ofSeconds(30)), meters);
        http = new HttpTestClient(service.port());
    }

    private static void assertConflict(HttpResponse<String> response, String jobId) {
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("field").asText()).isEqualTo("idempotencyKey");
        assertThat(problem.path("jobId").asText()).isEqualTo(jobId);
    }

    private static String job(String key, String prompt) {
        return "{\"tenant\": \"acme\", \"model\": \"gpt-4o-mini\", \"maxTokens\": 64, \"idempotencyKey\": \"" + key
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + prompt + "\"}]}";
    }

    /** The job {@link #job} describes, built from the schema, as a worker would see it. */
    private static PromptJob avro(String jobId, String prompt) {
        return PromptJob.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt-4o-mini")
                .setMessages(List.of(new ChatMessage(Role.USER, prompt)))
                .setParameters(GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(64).setTopP(null)
                        .setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                .setSubmittedAt(Instant.now()).setDeadline(null).setIdempotencyKey("k").setPriority(0)
                .setAttributes(Map.of()).build();
    }

    /** Writes the entry a worker writes when it first sees a keyed job. */
    private void writeLedgerEntry(String jobId, String key, PayloadHash hash, int partition, long offset) throws Exception {
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()))) {
            Topic<String, IdempotencyEntry> ledger = Topics.create(topics, registry, true).idempotency();
            try (KafkaProducer<String, IdempotencyEntry> producer = new KafkaProducer<>(
                    KafkaSettings.of(cluster.bootstrapServers()).producerConfig("idempotency-it-worker"),
                    ledger.keySerializer(), ledger.valueSerializer())) {
                producer.send(new ProducerRecord<>(ledger.name(), jobId, IdempotencyEntry.newBuilder().setJobId(jobId)
                        .setTenant("acme").setIdempotencyKey(key).setPayloadHash(ByteBuffer.wrap(hash.toBytes()))
                        .setAcceptedAt(Instant.now()).setPartition(partition).setOffset(offset).build()))
                        .get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
