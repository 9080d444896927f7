package io.promptq.producer;

import io.promptq.client.JobIdKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;

import static io.promptq.producer.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ValidationRules;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.config.AuthTokens;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobCancellation;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /v1/jobs/{jobId}/cancel} on a real broker and registry, without an aggregator: with authentication on,
 * 401 without a token, 403 naming another tenant, and 503 when the job's view cannot be asked - nothing written;
 * with it off, 202 with {@code cancelRequested} and a {@code JobCancellation} of the {@code tenant} query parameter or
 * the default tenant on the cancellations topic (which the service created). With an aggregator: {@code JobStatusIT}.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProducerCancelIT {

    private ClusterInfo cluster;
    private ProducerService secured;
    private ProducerService open;
    private HttpTestClient securedHttp;
    private HttpTestClient openHttp;
    private TopicNames securedTopics;
    private TopicNames openTopics;

    @BeforeAll
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        securedTopics = ItSupport.uniqueTopics("cancel-auth-it");
        openTopics = ItSupport.uniqueTopics("cancel-open-it");
        ProducerServiceConfig securedConfig = ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(),
                securedTopics, ValidationRules.defaults(), Duration.ofSeconds(10));
        secured = ProducerService.start(securedConfig.toBuilder()
                .client(securedConfig.client().toBuilder()
                        .jobIdKey(JobIdKey.of("cancel-it-secret-key-of-at-least-32-characters")).build())
                .authTokens(AuthTokens.parse("acme-token=acme,globex-token=globex"))
                .aggregatorUrl(URI.create("http://127.0.0.1:" + closedPort())).build(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        open = ProducerService.start(ItSupport.config(cluster.bootstrapServers(), cluster.schemaRegistryUrl(),
                openTopics, ValidationRules.defaults(), Duration.ofSeconds(10)),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        securedHttp = new HttpTestClient(secured.port());
        openHttp = new HttpTestClient(open.port());
    }

    @AfterAll
    void stop() {
        securedHttp.close();
        openHttp.close();
        secured.close();
        open.close();
    }

    @Test
    void withAuthenticationACancelWhoseJobCannotBeLookedUpIs503AndNotWritten() {
        HttpResponse<String> response = securedHttp.post("/v1/jobs/job-a1/cancel", "{\"reason\": \"not needed\"}",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer acme-token"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(cancellations(securedTopics)).noneSatisfy(r -> assertThat(r.key()).isEqualTo("job-a1"));
    }

    @Test
    void aCancelNeedsATokenAndMayNotNameAnotherTenant() {
        HttpResponse<String> anonymous = securedHttp.post("/v1/jobs/job-a2/cancel", "", Map.of());
        HttpResponse<String> otherTenant = securedHttp.post("/v1/jobs/job-a2/cancel?tenant=acme", "",
                Map.of("Authorization", "Bearer globex-token"));

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(otherTenant.statusCode()).isEqualTo(403);
        assertThat(cancellations(securedTopics)).noneSatisfy(r -> assertThat(r.key()).isEqualTo("job-a2"));
    }

    @Test
    void withoutAuthenticationTheTenantIsTheQueryParameterOrTheDefault() {
        HttpResponse<String> named = openHttp.post("/v1/jobs/job-o1/cancel?tenant=acme", "", Map.of());
        HttpResponse<String> unnamed = openHttp.post("/v1/jobs/job-o2/cancel", "", Map.of());

        assertThat(named.statusCode()).as(named.body()).isEqualTo(202);
        assertThat(unnamed.statusCode()).as(unnamed.body()).isEqualTo(202);
        List<ConsumerRecord<String, JobCancellation>> written = cancellations(openTopics);
        assertThat(written).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo("job-o1");
            assertThat(r.value().getTenant()).isEqualTo("acme");
        });
        assertThat(written).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo("job-o2");
            assertThat(r.value().getTenant()).isEqualTo(ProducerServiceConfig.DEFAULT_TENANT);
        });
    }

    /** A port of 127.0.0.1 nothing listens on. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record of the cancellations topic of {@code topics}, read to its end. */
    private List<ConsumerRecord<String, JobCancellation>> cancellations(TopicNames topics) {
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
                KafkaConsumer<String, JobCancellation> consumer = consumer(registry, topics)) {
            String name = topics.cancellations();
            List<TopicPartition> partitions = consumer.partitionsFor(name).stream()
                    .map(p -> new TopicPartition(name, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, JobCancellation>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    private KafkaConsumer<String, JobCancellation> consumer(SchemaRegistryClient registry, TopicNames topics) {
        Topic<String, JobCancellation> t = Topics.create(topics, registry, false).cancellations();
        return new KafkaConsumer<>(KafkaSettings.of(cluster.bootstrapServers())
                .consumerConfig(UniqueNames.of("cancel-it"), "cancel-it"), t.keyDeserializer(), t.valueDeserializer());
    }
}
