package io.promptq.producer.http.internal;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientConfig;
import io.promptq.client.IdempotencyConflictException;
import io.promptq.client.SubmitException;
import io.promptq.client.SubmitException.Reason;
import io.promptq.client.SubmitReceipt;
import io.promptq.client.ValidationRules;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.FakePromptqClient;
import io.promptq.producer.HttpTestClient;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.registry.RegistryConfig;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP mapping of the job endpoints, against a fake client (no broker). */
class JobsHandlerTest {

    private static final String JOB = """
            {"tenant": "acme", "model": "m", "messages": [{"role": "user", "content": "hi"}]}""";

    private final FakePromptqClient client = new FakePromptqClient(ValidationRules.defaults(), Duration.ofMillis(1500));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private OpsServer server;
    private HttpTestClient http;

    @BeforeEach
    void start() {
        ProducerServiceConfig config = ProducerServiceConfig.defaults(ClientConfig.of(KafkaSettings.of("unused:9092"),
                RegistryConfig.of("http://unused:8081"))).toBuilder().maxBodyBytes(4096).maxBatchBodyBytes(8192).maxBatch(3).build();
        JobsHandler handler = new JobsHandler(client, config, ProducerMetrics.bind(registry));
        server = OpsServer.start("127.0.0.1", 0, registry, app -> {
            app.post("/v1/jobs", handler::submit);
            app.post("/v1/jobs/batch", handler::submitBatch);
        });
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    @Test
    void acceptedJobAnswers202WithTheReceipt() {
        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode body = json(response);
        assertThat(body.path("jobId").asText()).isNotBlank();
        assertThat(body.path("topic").asText()).isEqualTo("fake.jobs");
        assertThat(body.has("partition")).isTrue();
        assertThat(body.has("offset")).isTrue();
        assertThat(counter(ProducerMetrics.JOBS_ACCEPTED, null)).isEqualTo(1);
    }

    @Test
    void aDuplicateOfAKeyedJobAnswers200WithTheFirstCopysReceipt() {
        client.publisher(job -> CompletableFuture.completedFuture(new SubmitReceipt("job-1", "fake.jobs", 3, 41, true)));

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("jobId").asText()).isEqualTo("job-1");
        assertThat(body.path("partition").asInt()).isEqualTo(3);
        assertThat(body.path("offset").asLong()).isEqualTo(41);
        assertThat(body.path("duplicate").asBoolean()).isTrue();
        assertThat(counter(ProducerMetrics.JOBS_DUPLICATE, null)).isEqualTo(1);
        assertThat(counter(ProducerMetrics.JOBS_ACCEPTED, null)).isZero();
    }

    @Test
    void aNewJobSaysItIsNoDuplicate() {
        assertThat(json(http.postJson("/v1/jobs", JOB)).path("duplicate").isBoolean()).isTrue();
        assertThat(json(http.postJson("/v1/jobs", JOB)).path("duplicate").asBoolean()).isFalse();
    }

    @Test
    void anIdempotencyConflictAnswers409ProblemNamingTheKey() {
        client.publisher(job -> CompletableFuture.failedFuture(
                new IdempotencyConflictException("acme", "order-42", "job-1")));

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.path("status").asInt()).isEqualTo(409);
        assertThat(problem.path("field").asText()).isEqualTo("idempotencyKey");
        assertThat(problem.path("idempotencyKey").asText()).isEqualTo("order-42");
        assertThat(problem.path("jobId").asText()).isEqualTo("job-1");
        assertThat(problem.path("detail").asText()).contains("order-42");
        assertThat(counter(ProducerMetrics.JOBS_REJECTED, "conflict")).isEqualTo(1);
    }

    @Test
    void aBatchAnswersDuplicatesAndConflictsPerItem() {
        client.publisher(job -> switch (job.idempotencyKey()) {
            case "dup" -> CompletableFuture.completedFuture(new SubmitReceipt("job-d", "fake.jobs", 0, 5, true));
            case "conflict" -> CompletableFuture.failedFuture(new IdempotencyConflictException("acme", "conflict", "job-c"));
            default -> CompletableFuture.completedFuture(new SubmitReceipt("job-n", "fake.jobs", 0, 6));
        });
        String body = "[" + String.join(",", keyed("dup"), keyed("conflict"), keyed("new")) + "]";

        JsonNode results = json(http.postJson("/v1/jobs/batch", body)).path("results");

        assertThat(results.get(0).path("status").asInt()).isEqualTo(200);
        assertThat(results.get(0).path("duplicate").asBoolean()).isTrue();
        assertThat(results.get(1).path("status").asInt()).isEqualTo(409);
        assertThat(results.get(1).path("problem").path("field").asText()).isEqualTo("idempotencyKey");
        assertThat(results.get(1).path("problem").path("index").asInt()).isEqualTo(1);
        assertThat(results.get(2).path("status").asInt()).isEqualTo(202);
        assertThat(results.get(2).path("duplicate").asBoolean()).isFalse();
    }

    private static String keyed(String key) {
        return JOB.replace("\"tenant\"", "\"idempotencyKey\": \"" + key + "\", \"tenant\"");
    }

    @Test
    void bodyWithoutContentTypeIsReadAsJsonAndTenantDefaults() {
        HttpResponse<String> response = http.post("/v1/jobs",
                "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", Map.of());

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(client.published()).singleElement().satisfies(job -> assertThat(job.tenant()).isEqualTo("default"));
    }

    @Test
    void unavailableKafkaAnswers503WithRetryAfterAsProblemJson() {
        client.publisher(job -> CompletableFuture.failedFuture(
                new SubmitException(Reason.UNAVAILABLE, "not acknowledged within the send timeout", null)));

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("2");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).path("status").asInt()).isEqualTo(503);
        assertThat(counter(ProducerMetrics.JOBS_REJECTED, "unavailable")).isEqualTo(1);
    }

    @Test
    void aSendWhoseOutcomeIsUnknownAnswers504OutcomeUnknownNamingTheJob() {
        client.publisher(job -> CompletableFuture.failedFuture(new SubmitException(Reason.OUTCOME_UNKNOWN,
                "not acknowledged within the send timeout", null, "6f1c2a5e-0000-4000-8000-000000000001")));

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
        assertThat(json(response).path("type").asText()).endsWith("/outcome-unknown");
        assertThat(json(response).path("jobId").asText()).isEqualTo("6f1c2a5e-0000-4000-8000-000000000001");
        assertThat(json(response).path("detail").asText()).contains("same idempotency key");
        assertThat(counter(ProducerMetrics.JOBS_REJECTED, "outcome_unknown")).isEqualTo(1);
    }

    @Test
    void unexpectedPublishFailureAnswers500WithoutInternals() {
        client.publisher(job -> CompletableFuture.failedFuture(new SubmitException(Reason.FAILED, "secret detail", null)));

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).doesNotContain("secret detail");
        assertThat(counter(ProducerMetrics.JOBS_REJECTED, "error")).isEqualTo(1);
    }

    @Test
    void publishThatNeverAnswersIsCutOffAs503() {
        client.publisher(job -> new CompletableFuture<>());

        HttpResponse<String> response = http.postJson("/v1/jobs", JOB);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void ndjsonBatchReportsEveryLineOnItsOwn() {
        String body = JOB.replace("\n", " ") + "\n{not json\n\n"
                + "{\"tenant\": \"acme\", \"model\": \"m\", \"temperature\": 9, \"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}\n";

        HttpResponse<String> response = http.post("/v1/jobs/batch", body, Map.of("Content-Type", "application/x-ndjson"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode json = json(response);
        assertThat(json.path("accepted").asInt()).isEqualTo(1);
        assertThat(json.path("rejected").asInt()).isEqualTo(2);
        JsonNode results = json.path("results");
        assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("problem").path("field").asText()).isEqualTo("body");
        assertThat(results.get(1).path("problem").path("index").asInt()).isEqualTo(1);
        assertThat(results.get(2).path("index").asInt()).isEqualTo(2);
        assertThat(results.get(2).path("problem").path("field").asText()).isEqualTo("temperature");
        assertThat(counter(ProducerMetrics.JOBS_REJECTED, "invalid")).isEqualTo(2);
    }

    @Test
    void batchOverTheCountLimitIsRefusedWhole() {
        HttpResponse<String> response = http.postJson("/v1/jobs/batch", "[" + String.join(",", JOB, JOB, JOB, JOB) + "]");

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).path("field").asText()).isEqualTo("body");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void batchArrayIsRefusedAtTheItemPastTheLimitWithoutParsingTheRest() {
        String body = "[" + String.join(",", JOB, JOB, JOB, JOB) + ", {this is never parsed";

        HttpResponse<String> response = http.postJson("/v1/jobs/batch", body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(json(response).path("detail").asText()).contains("more than 3 jobs", "limit is 3");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void ndjsonBatchIsRefusedAtTheLinePastTheLimit() {
        String line = JOB.replace("\n", " ") + "\n";
        String body = line.repeat(4) + "{not json either\n".repeat(20);

        HttpResponse<String> response = http.post("/v1/jobs/batch", body, Map.of("Content-Type", "application/x-ndjson"));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response).path("detail").asText()).contains("more than 3 jobs", "limit is 3");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void emptyBatchIsInvalid() {
        HttpResponse<String> response = http.postJson("/v1/jobs/batch", "[]");

        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void batchOfAnotherMediaTypeIs415() {
        HttpResponse<String> response = http.post("/v1/jobs/batch", JOB, Map.of("Content-Type", "text/csv"));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).path("field").asText()).isEqualTo("Content-Type");
    }

    @Test
    void aCharsetOtherThanUtf8Is415NamingContentType() {
        for (String path : new String[] {"/v1/jobs", "/v1/jobs/batch"}) {
            HttpResponse<String> response = http.post(path, JOB, Map.of("Content-Type", "application/json; charset=latin1"));

            assertProblem(response, 415, "Content-Type");
            assertThat(json(response).path("detail").asText()).contains("latin1");
        }
        assertThat(client.published()).isEmpty();
    }

    @Test
    void utf8CharsetInAnySpellingIsAccepted() {
        assertThat(http.post("/v1/jobs", JOB, Map.of("Content-Type", "application/json; charset=UTF-8")).statusCode())
                .isEqualTo(202);
        assertThat(http.post("/v1/jobs", JOB, Map.of("Content-Type", "application/json;charset=\"utf-8\"")).statusCode())
                .isEqualTo(202);
    }

    @Test
    void aContentEncodingOtherThanIdentityIs415NamingContentEncoding() {
        for (String path : new String[] {"/v1/jobs", "/v1/jobs/batch"}) {
            HttpResponse<String> response = http.post(path, JOB,
                    Map.of("Content-Type", "application/json", "Content-Encoding", "br"));

            assertProblem(response, 415, "Content-Encoding");
            assertThat(response.headers().firstValue("Accept-Encoding")).hasValue("identity");
        }
        assertThat(client.published()).isEmpty();
        assertThat(http.post("/v1/jobs", JOB, Map.of("Content-Type", "application/json", "Content-Encoding", "identity"))
                .statusCode()).isEqualTo(202);
    }

    @Test
    void aMissingContentTypeIsReadAsJson() {
        HttpResponse<String> response = http.post("/v1/jobs", JOB, Map.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    @Test
    void batchWhoseSendsEachBlockForTheSendTimeoutAnswersWithinAboutOneSendTimeout() {
        client.publisher(job -> {
            try {
                Thread.sleep(client.sendTimeout().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CompletableFuture.failedFuture(new SubmitException(Reason.UNAVAILABLE, "metadata not available", null));
        });

        long started = System.nanoTime();
        HttpResponse<String> response = http.postJson("/v1/jobs/batch", "[" + String.join(",", JOB, JOB, JOB) + "]");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).path("results")).extracting(r -> r.path("status").asInt()).containsExactly(503, 503, 503);
        assertThat(took).as("answer time").isLessThan(Duration.ofMillis(client.sendTimeout().toMillis() * 3 / 2));
    }

    @Test
    void unavailableItemsOfABatchAddRetryAfter() {
        client.publisher(job -> CompletableFuture.failedFuture(new SubmitException(Reason.UNAVAILABLE, "down", null)));

        HttpResponse<String> response = http.postJson("/v1/jobs/batch", "[" + JOB + "]");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(response).path("results").get(0).path("status").asInt()).isEqualTo(503);
    }

    @Test
    void deadlineBeyondYear9999Answers400ProblemNamingDeadline() {
        HttpResponse<String> response = http.postJson("/v1/jobs", JOB.replaceFirst("\\{", "{\"deadline\": \"+300000000-01-01T00:00:00Z\", "));

        assertProblem(response, 400, "deadline");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void loneSurrogateEscapeInContentAnswers400NamingTheField() {
        assertProblem(http.postJson("/v1/jobs", JOB.replace("\"hi\"", "\"a\\ud800b\"")), 400, "messages[0].content");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void nulEscapeInContentAnswers400NamingTheField() {
        assertProblem(http.postJson("/v1/jobs", JOB.replace("\"hi\"", "\"a\\u0000b\"")), 400, "messages[0].content");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void overlongUtf8InContentAnswers400NamingTheField() {
        byte[] body = withContentBytes(JOB, (byte) 0xc0, (byte) 0xaf);

        assertProblem(http.post("/v1/jobs", body, Map.of("Content-Type", "application/json")), 400, "messages[0].content");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void utf8EncodedSurrogateInContentAnswers400NamingTheField() {
        byte[] body = withContentBytes(JOB, (byte) 0xed, (byte) 0xa0, (byte) 0x80);

        assertProblem(http.post("/v1/jobs", body, Map.of("Content-Type", "application/json")), 400, "messages[0].content");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void malformedUtf8InABatchArrayNamesTheItemAndField() {
        byte[] item = withContentBytes(JOB, (byte) 0xc0, (byte) 0xaf);
        byte[] body = concat(("[" + JOB + ",").getBytes(StandardCharsets.UTF_8), item, "]".getBytes(StandardCharsets.UTF_8));

        assertProblem(http.post("/v1/jobs/batch", body, Map.of("Content-Type", "application/json")), 400,
                "[1].messages[0].content");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void malformedUtf8OnAnNdjsonLineRefusesThatItemOnly() {
        byte[] bad = withContentBytes(JOB.replace("\n", " "), (byte) 0xc0, (byte) 0xaf);
        byte[] body = concat((JOB.replace("\n", " ") + "\n").getBytes(StandardCharsets.UTF_8), bad);

        HttpResponse<String> response = http.post("/v1/jobs/batch", body, Map.of("Content-Type", "application/x-ndjson"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode results = json(response).path("results");
        assertThat(results.get(0).path("status").asInt()).isEqualTo(202);
        assertThat(results.get(1).path("status").asInt()).isEqualTo(400);
        assertThat(results.get(1).path("problem").path("field").asText()).isEqualTo("messages[0].content");
        assertThat(client.published()).hasSize(1);
    }

    @Test
    void wrongMethodOnJobsAnswers405WithAllowAsProblemJson() {
        HttpResponse<String> response = http.get("/v1/jobs");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).path("status").asInt()).isEqualTo(405);
    }

    @Test
    void postOnAReadOnlyPathAnswers405AllowingGet() {
        HttpResponse<String> response = http.postJson("/health/ready", "{}");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void unknownPathAnswers404ProblemJson() {
        HttpResponse<String> response = http.get("/v2/nothing");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).path("status").asInt()).isEqualTo(404);
        assertThat(response.headers().firstValue("Allow")).isEmpty();
    }

    /** {@code job} with the content {@code "hi"} replaced by {@code "h" + bytes + "i"}. */
    private static byte[] withContentBytes(String job, byte... bytes) {
        String[] halves = job.split("\"hi\"", 2);
        return concat((halves[0] + "\"h").getBytes(StandardCharsets.UTF_8), bytes,
                ("i\"" + halves[1]).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void assertProblem(HttpResponse<String> response, int status, String field) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).path("field").asText()).isEqualTo(field);
    }

    private double counter(String name, String reason) {
        return reason == null ? registry.get(name).counter().count()
                : registry.get(name).tag(ProducerMetrics.REASON, reason).counter().count();
    }
}
