package io.promptq.producer;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ValidationRules;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.TopicNames;
import io.promptq.webhook.WebhookTargets;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Callback URLs at submit, against the real broker and registry: allow-listed or refused, tenant defaults applied. */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerWebhookIT {

    private static final String JOB = """
            {"tenant": "%s", "model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]%s}""";

    private ClusterInfo cluster;
    private ProducerService service;
    private HttpTestClient http;
    private String topic;

    @BeforeAll
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        TopicNames topics = ItSupport.uniqueTopics("webhook-it");
        topic = topics.jobs();
        ValidationRules rules = ValidationRules.builder().webhooks(new WebhookTargets(
                List.of("https://hooks.example.com/promptq/"), Map.of("acme", "https://hooks.example.com/promptq/acme")))
                .build();
        ProducerServiceConfig config = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(), topics,
                rules, Duration.ofSeconds(10));
        service = ProducerService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = new HttpTestClient(service.port());
    }

    @AfterAll
    void stop() {
        http.close();
        service.close();
    }

    @Test
    void aCallbackUrlOutsideTheAllowListIsRefusedWith400NamingCallbackUrl() {
        for (String url : List.of("http://169.254.169.254/latest/meta-data", "https://hooks.example.com/other",
                "https://user@hooks.example.com/promptq/x", "https://hooks.example.com/promptq/../admin")) {
            HttpResponse<String> response = http.postJson("/v1/jobs",
                    JOB.formatted("beta", ", \"callbackUrl\": \"" + url + "\""));

            assertThat(response.statusCode()).as(url + " -> " + response.body()).isEqualTo(400);
            assertThat(json(response).path("field").asText()).isEqualTo("callbackUrl");
        }
    }

    @Test
    void anAllowedCallbackUrlIsCarriedOnTheJob() {
        PromptJob job = submit(JOB.formatted("beta", ", \"callbackUrl\": \"https://hooks.example.com/promptq/b?x=1\""));

        assertThat(job.getCallbackUrl()).isEqualTo("https://hooks.example.com/promptq/b?x=1");
    }

    @Test
    void aJobWithoutCallbackGetsItsTenantsDefaultOrNone() {
        assertThat(submit(JOB.formatted("acme", "")).getCallbackUrl()).isEqualTo("https://hooks.example.com/promptq/acme");
        assertThat(submit(JOB.formatted("beta", "")).getCallbackUrl()).isNull();
    }

    private PromptJob submit(String body) {
        HttpResponse<String> response = http.postJson("/v1/jobs", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode receipt = json(response);
        ConsumerRecord<String, PromptJob> record = ItSupport.readAt(cluster.bootstrapServers(),
                cluster.schemaRegistryUrl(), topic, receipt.path("partition").asInt(), receipt.path("offset").asLong());
        return record.value();
    }
}
