package io.promptq.producer;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ValidationRules;
import io.promptq.local.EmbeddedKafka;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Kafka down: submissions answer 503 (or 504 outcome-unknown once a record was queued) with Retry-After within the
 * send timeout, never hang and never 202;
 * once the broker is back they succeed again. Uses a private broker (the shared registry), so stopping it
 * cannot disturb other tests.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrokerOutageIT {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(2);
    private static final String JOB = """
            {"tenant": "acme", "model": "mock-1", "messages": [{"role": "user", "content": "hi"}]}""";

    private EmbeddedKafka kafka;
    private ProducerService service;
    private HttpTestClient http;

    @BeforeAll
    void start(ClusterInfo cluster) {
        kafka = EmbeddedKafka.start();
        service = ProducerService.start(ItSupport.config(kafka.bootstrapServers(), cluster.schemaRegistryUrl(),
                ItSupport.uniqueTopics("outage-it"), ValidationRules.defaults(), SEND_TIMEOUT),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = new HttpTestClient(service.port());
    }

    @AfterAll
    void stop() {
        if (http != null) {
            http.close();
        }
        if (service != null) {
            service.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void brokerDownAnswers503WithRetryAfterWithinTheSendTimeoutAndRecoversWhenItIsBack() {
        assertThat(http.postJson("/v1/jobs", JOB).statusCode()).isEqualTo(202);

        kafka.stopBroker(0);
        try {
            for (int attempt = 0; attempt < 2; attempt++) {
                long started = System.nanoTime();
                HttpResponse<String> response = http.postJson("/v1/jobs", JOB);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                // 503 when the record never left, 504 outcome-unknown when it was queued and may have been sent
                assertThat(response.statusCode()).as(response.body()).isIn(503, 504);
                assertThat(response.headers().firstValue("Retry-After")).contains("2");
                assertThat(json(response).path("status").asInt()).isEqualTo(response.statusCode());
                assertThat(took).as("answer time").isLessThan(SEND_TIMEOUT.plusSeconds(2));
            }
            HttpResponse<String> batch = http.postJson("/v1/jobs/batch", "[" + JOB + "," + JOB + "]");
            assertThat(batch.statusCode()).isEqualTo(200);
            assertThat(batch.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(batch).path("results")).extracting(r -> r.path("status").asInt()).isSubsetOf(503, 504);
            assertThat(within(Duration.ofSeconds(20), () -> http.get("/health/ready").statusCode() == 503)).isTrue();
        } finally {
            kafka.startBroker(0);
        }

        assertThat(within(Duration.ofSeconds(60), () -> http.postJson("/v1/jobs", JOB).statusCode() == 202))
                .as("a POST succeeds again after the broker returned").isTrue();
        assertThat(within(Duration.ofSeconds(20), () -> http.get("/health/ready").statusCode() == 200)).isTrue();
    }

    @Test
    void batchAgainstABrokerThatIsDownAnswersWithinAboutOneSendTimeoutWithPerItem503s(ClusterInfo cluster) {
        kafka.stopBroker(0);
        ProducerService fresh = null;
        try {
            fresh = ProducerService.start(ItSupport.config(kafka.bootstrapServers(), cluster.schemaRegistryUrl(),
                    ItSupport.uniqueTopics("outage-batch-it"), ValidationRules.defaults(), SEND_TIMEOUT),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            String batch = "[" + String.join(",", Collections.nCopies(200, JOB)) + "]";
            try (HttpTestClient freshHttp = new HttpTestClient(fresh.port())) {
                long started = System.nanoTime();
                HttpResponse<String> response = freshHttp.postJson("/v1/jobs/batch", batch);
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(json(response).path("results")).hasSize(200)
                        .extracting(r -> r.path("status").asInt()).containsOnly(503);
                assertThat(took).as("answer time").isLessThan(Duration.ofMillis(SEND_TIMEOUT.toMillis() * 3 / 2));
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
            kafka.startBroker(0);
        }
    }

    private static boolean within(Duration timeout, Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return true;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
