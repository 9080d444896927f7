package io.promptq.producer;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.JobIds;
import io.promptq.client.ValidationRules;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.TopicNames;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HTTP API against the real broker and registry, authentication off (the default). */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerHttpIT {

    private static final int MAX_BODY = 16 * 1024;
    private static final String VALID = """
            {"tenant": "acme", "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}],
             "temperature": 0.7, "maxTokens": 256}""";

    private ClusterInfo cluster;
    private PrometheusMeterRegistry registry;
    private ProducerService service;
    private HttpTestClient http;
    private String topic;

    @BeforeAll
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        TopicNames topics = ItSupport.uniqueTopics("http-it");
        topic = topics.jobs();
        ValidationRules rules = ValidationRules.builder().modelAllowList(Set.of("gpt-4o-mini", "mock-1")).maxTokensCap(4096).build();
        ProducerServiceConfig config = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topics,
                rules, Duration.ofSeconds(10)).toBuilder().maxBodyBytes(MAX_BODY).maxBatchBodyBytes(64 * 1024).maxBatch(50).build();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        service = ProducerService.start(config, registry);
        http = new HttpTestClient(service.port());
    }

    @AfterAll
    void stop() {
        http.close();
        service.close();
    }

    @Test
    void postedJobIsReadBackEqualAtTheReceiptsPosition() {
        Instant deadline = Instant.now().plus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
        HttpResponse<String> response = http.postJson("/v1/jobs", """
                {"tenant": "acme", "model": "gpt-4o-mini",
                 "messages": [{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "Hello?"}],
                 "temperature": 0.2, "maxTokens": 128, "topP": 0.95, "seed": 7, "stop": ["###"],
                 "deadline": "%s", "idempotencyKey": "http-it-1", "priority": 5, "attributes": {"trace": "abc"}}"""
                .formatted(deadline));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode receipt = json(response);
        String jobId = JobIds.derive("acme", "http-it-1").toString();
        assertThat(receipt.path("jobId").asText()).isEqualTo(jobId);
        assertThat(receipt.path("topic").asText()).isEqualTo(topic);
        ConsumerRecord<String, PromptJob> record = ItSupport.readAt(cluster.bootstrapServers(),
                cluster.schemaRegistryUrl(), topic, receipt.path("partition").asInt(), receipt.path("offset").asLong());
        assertThat(record.key()).isEqualTo(jobId);
        PromptJob expected = PromptJob.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt-4o-mini")
                .setMessages(List.of(new ChatMessage(Role.SYSTEM, "Answer in French."), new ChatMessage(Role.USER, "Hello?")))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.2).setMaxTokens(128).setTopP(0.95)
                        .setSeed(7L).setStop(List.of("###")).setExtra(Map.of()).build())
                .setSubmittedAt(record.value().getSubmittedAt()).setDeadline(deadline)
                .setIdempotencyKey("http-it-1").setPriority(5).setAttributes(Map.of("trace", "abc")).build();
        assertThat(record.value()).isEqualTo(expected);
        assertThat(Duration.between(record.value().getSubmittedAt(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void batchPublishesTheValidItemsAndReportsEachInvalidOne() {
        String body = "[" + String.join(",",
                job("batch-0", "\"temperature\": 0.1"),
                job("batch-1", "\"temperature\": 7"),
                job("batch-2", "\"maxTokens\": 10"),
                "{\"model\": \"gpt-5\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}") + "]";

        HttpResponse<String> response = http.postJson("/v1/jobs/batch", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode json = json(response);
        assertThat(json.path("accepted").asInt()).isEqualTo(2);
        assertThat(json.path("rejected").asInt()).isEqualTo(2);
        JsonNode results = json.path("results");
        assertThat(results).extracting(r -> r.path("status").asInt()).containsExactly(202, 400, 202, 400);
        assertThat(results.get(1).path("problem").path("field").asText()).isEqualTo("temperature");
        assertThat(results.get(1).path("problem").path("index").asInt()).isEqualTo(1);
        assertThat(results.get(3).path("problem").path("field").asText()).isEqualTo("model");
        for (int i : new int[] {0, 2}) {
            JsonNode result = results.get(i);
            ConsumerRecord<String, PromptJob> record = ItSupport.readAt(cluster.bootstrapServers(),
                    cluster.schemaRegistryUrl(), topic, result.path("partition").asInt(), result.path("offset").asLong());
            assertThat(record.key()).isEqualTo(result.path("jobId").asText());
            assertThat(record.value().getIdempotencyKey()).isEqualTo("batch-" + i);
            assertThat(record.value().getJobId()).isEqualTo(JobIds.derive("acme", "batch-" + i).toString());
        }
    }

    @Test
    void resubmissionWithTheSameIdempotencyKeyNamesTheSameJob() {
        String body = job("same-key", "\"maxTokens\": 5");

        String first = json(http.postJson("/v1/jobs", body)).path("jobId").asText();
        String second = json(http.postJson("/v1/jobs", body)).path("jobId").asText();

        assertThat(second).isEqualTo(first).isEqualTo(JobIds.derive("acme", "same-key").toString());
    }

    @Test
    void jobWithoutTenantGoesToTheDefaultTenantWhileAuthIsOff() {
        HttpResponse<String> response = http.postJson("/v1/jobs",
                "{\"model\": \"mock-1\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}");

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode receipt = json(response);
        assertThat(ItSupport.readAt(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topic,
                receipt.path("partition").asInt(), receipt.path("offset").asLong()).value().getTenant())
                .isEqualTo(ProducerServiceConfig.DEFAULT_TENANT);
    }

    static Stream<Arguments> badRequests() {
        String json = "application/json";
        return Stream.of(
                Arguments.of("missing model", json, VALID.replace("\"model\": \"gpt-4o-mini\",", ""), 400, "model"),
                Arguments.of("empty model", json, VALID.replace("gpt-4o-mini", ""), 400, "model"),
                Arguments.of("unknown model", json, VALID.replace("gpt-4o-mini", "gpt-5"), 400, "model"),
                Arguments.of("missing messages", json,
                        VALID.replace("\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}],", ""), 400, "messages"),
                Arguments.of("empty messages", json,
                        VALID.replace("[{\"role\": \"user\", \"content\": \"hi\"}]", "[]"), 400, "messages"),
                Arguments.of("unknown role", json, VALID.replace("\"user\"", "\"robot\""), 400, "messages[0].role"),
                Arguments.of("temperature above 2", json, VALID.replace("0.7", "2.5"), 400, "temperature"),
                Arguments.of("temperature below 0", json, VALID.replace("0.7", "-0.1"), 400, "temperature"),
                Arguments.of("temperature not a number", json, VALID.replace("0.7", "\"hot\""), 400, "temperature"),
                Arguments.of("maxTokens zero", json, VALID.replace("256", "0"), 400, "maxTokens"),
                Arguments.of("maxTokens negative", json, VALID.replace("256", "-3"), 400, "maxTokens"),
                Arguments.of("maxTokens above the cap", json, VALID.replace("256", "5000"), 400, "maxTokens"),
                Arguments.of("deadline already past", json,
                        VALID.replace("\"maxTokens\"", "\"deadline\": \"2020-01-01T00:00:00Z\", \"maxTokens\""), 400,
                        "deadline"),
                Arguments.of("deadline in year 300000000", json,
                        VALID.replace("\"maxTokens\"", "\"deadline\": \"+300000000-01-01T00:00:00Z\", \"maxTokens\""), 400,
                        "deadline"),
                Arguments.of("lone surrogate in content", json, VALID.replace("\"hi\"", "\"\\ud800\""), 400,
                        "messages[0].content"),
                Arguments.of("NUL in content", json, VALID.replace("\"hi\"", "\"a\\u0000b\""), 400,
                        "messages[0].content"),
                Arguments.of("misspelt field", json, VALID.replace("maxTokens", "max_tokens"), 400, "max_tokens"),
                Arguments.of("malformed JSON", json, "{\"model\": ", 400, "body"),
                Arguments.of("JSON array instead of a job", json, "[" + VALID + "]", 400, "body"),
                Arguments.of("not JSON", "text/plain", "hello", 415, "Content-Type"),
                Arguments.of("body over the size limit", json,
                        VALID.replace("\"hi\"", "\"" + "x".repeat(MAX_BODY) + "\""), 413, "body"));
    }

    @ParameterizedTest(name = "{0} -> {3} on {4}")
    @MethodSource("badRequests")
    void badInputIsAnsweredWithAProblemNamingTheField(String name, String contentType, String body, int status,
            String field) {
        HttpResponse<String> response = http.post("/v1/jobs", body, Map.of("Content-Type", contentType));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("field").asText()).isEqualTo(field);
        assertThat(problem.path("detail").asText()).isNotBlank();
    }

    @Test
    void wrongMethodOnJobsIsAnswered405WithAllowAsProblemJson() {
        HttpResponse<String> response = http.delete("/v1/jobs");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET, POST");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
    }

    @Test
    void readinessReportsKafkaAndTheRegistryUp() {
        HttpResponse<String> response = http.get("/health/ready");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode checks = json(response).path("checks");
        assertThat(checks.path("kafka").path("status").asText()).isEqualTo("UP");
        assertThat(checks.path("schema-registry").path("status").asText()).isEqualTo("UP");
        assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsCountAcceptedAndRejectedJobsAndPublishLatency() {
        http.postJson("/v1/jobs", VALID);
        http.postJson("/v1/jobs", VALID.replace("0.7", "9"));

        String metrics = http.get("/metrics").body();

        assertThat(metrics).contains("promptq_producer_jobs_accepted_total")
                .contains("promptq_producer_jobs_rejected_total{reason=\"invalid\"")
                .contains("promptq_producer_publish_latency_seconds_bucket")
                .contains("kafka_producer_");
        assertThat(registry.get("promptq.producer.jobs.accepted").counter().count()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("promptq.producer.jobs.rejected").tag("reason", "invalid").counter().count())
                .isGreaterThanOrEqualTo(1);
    }

    private static String job(String idempotencyKey, String extra) {
        return "{\"tenant\": \"acme\", \"model\": \"mock-1\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}], "
                + "\"idempotencyKey\": \"" + idempotencyKey + "\", " + extra + "}";
    }
}
