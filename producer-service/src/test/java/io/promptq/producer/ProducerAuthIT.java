package io.promptq.producer;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.JobIdKey;
import io.promptq.client.JobIds;
import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import io.promptq.client.ValidationRules;
import io.promptq.producer.config.AuthTokens;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.TopicNames;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bearer-token authentication: 401 without a known token, 403 for another tenant's jobs; with authentication on,
 * keyed job ids are derived with the deployment's secret ({@code PROMPTQ_JOB_ID_KEY}).
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerAuthIT {

    private static final String JOB_FOR_ACME = """
            {"tenant": "acme", "model": "mock-1", "messages": [{"role": "user", "content": "hi"}]}""";
    private static final String JOB_WITHOUT_TENANT = """
            {"model": "mock-1", "messages": [{"role": "user", "content": "hi"}]}""";

    private static final JobIdKey JOB_ID_KEY = JobIdKey.of("auth-it-secret-0123456789abcdef0123456789");

    private ClusterInfo cluster;
    private ProducerServiceConfig config;
    private ProducerService service;
    private HttpTestClient http;
    private String topic;

    @BeforeAll
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        TopicNames topics = ItSupport.uniqueTopics("auth-it");
        topic = topics.jobs();
        ProducerServiceConfig plain = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topics,
                ValidationRules.defaults(), Duration.ofSeconds(10));
        config = plain.toBuilder().authTokens(AuthTokens.parse("acme-token=acme,globex-token=globex"))
                .client(plain.client().toBuilder().jobIdKey(JOB_ID_KEY).build()).build();
        service = ProducerService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = new HttpTestClient(service.port());
    }

    @AfterAll
    void stop() {
        http.close();
        service.close();
    }

    @Test
    void missingTokenIs401WithAChallenge() {
        HttpResponse<String> response = http.postJson("/v1/jobs", JOB_FOR_ACME);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(response).path("field").asText()).isEqualTo("Authorization");
    }

    @Test
    void unknownTokenIs401() {
        assertThat(post("/v1/jobs", JOB_FOR_ACME, "Bearer guessed").statusCode()).isEqualTo(401);
        assertThat(post("/v1/jobs", JOB_FOR_ACME, "Basic YWNtZTp4").statusCode()).isEqualTo(401);
    }

    @Test
    void tokenMaySubmitOnlyForItsOwnTenant() {
        HttpResponse<String> response = post("/v1/jobs", JOB_FOR_ACME, "Bearer globex-token");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).path("field").asText()).isEqualTo("tenant");
    }

    @Test
    void tokenSubmitsForItsTenantWhichIsAlsoTheDefault() {
        HttpResponse<String> explicit = post("/v1/jobs", JOB_FOR_ACME, "Bearer acme-token");
        HttpResponse<String> implicit = post("/v1/jobs", JOB_WITHOUT_TENANT, "Bearer globex-token");

        assertThat(explicit.statusCode()).as(explicit.body()).isEqualTo(202);
        assertThat(implicit.statusCode()).as(implicit.body()).isEqualTo(202);
        JsonNode receipt = json(implicit);
        assertThat(ItSupport.readAt(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topic,
                receipt.path("partition").asInt(), receipt.path("offset").asLong()).value().getTenant())
                .isEqualTo("globex");
    }

    @Test
    void batchNeedsATokenAndRefusesOtherTenantsItemByItem() {
        String batch = "[" + JOB_FOR_ACME + "," + JOB_WITHOUT_TENANT + "]";

        assertThat(http.postJson("/v1/jobs/batch", batch).statusCode()).isEqualTo(401);
        HttpResponse<String> response = post("/v1/jobs/batch", batch, "Bearer globex-token");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode results = json(response).path("results");
        assertThat(results.get(0).path("status").asInt()).isEqualTo(403);
        assertThat(results.get(0).path("problem").path("field").asText()).isEqualTo("tenant");
        assertThat(results.get(1).path("status").asInt()).isEqualTo(202);
    }

    @Test
    void opsEndpointsNeedNoToken() {
        assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(http.get("/metrics").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> post(String path, String body, String authorization) {
        return http.post(path, body, Map.of("Content-Type", "application/json", "Authorization", authorization));
    }

    @Test
    void keyedJobIdsAreTheSecretsHmacAndTheClientLibraryNamesTheSameJob() throws Exception {
        String body = """
                {"tenant": "acme", "model": "mock-1", "idempotencyKey": "auth-it-keyed",
                 "messages": [{"role": "user", "content": "hi"}]}""";
        HttpResponse<String> response = post("/v1/jobs", body, "Bearer acme-token");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String jobId = json(response).path("jobId").asText();
        assertThat(jobId).isEqualTo(JobIds.derive(JOB_ID_KEY, "acme", "auth-it-keyed").toString())
                .isNotEqualTo(JobIds.derive("acme", "auth-it-keyed").toString());
        assertThat(UUID.fromString(jobId).version()).isEqualTo(8);
        try (PromptqClient client = PromptqClient.create(config.client())) {
            SubmitReceipt again = client.submit(JobRequest.builder().tenant("acme").model("mock-1").user("hi")
                    .idempotencyKey("auth-it-keyed").build()).get(30, TimeUnit.SECONDS);

            assertThat(again.jobId()).isEqualTo(jobId);
        }
    }
}
