package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@PromptqCluster
class SharedClusterIT {

    private static ClusterInfo fromBeforeAll;

    @BeforeAll
    static void capture(ClusterInfo cluster) {
        fromBeforeAll = cluster;
    }

    @Test
    void everyAccessGivesTheSameSharedCluster(ClusterInfo cluster) {
        assertThat(cluster).isSameAs(fromBeforeAll).isSameAs(SharedCluster.get());
        assertThat(cluster.admin()).isSameAs(SharedCluster.get().admin());
        assertThat(cluster.mode()).isEqualTo(ClusterMode.EMBEDDED);
        assertThat(cluster.embedded()).isPresent();
    }

    @Test
    void clusterServesProduceAndConsume(ClusterInfo cluster) throws Exception {
        cluster.createTopics(3, "tk-roundtrip");
        cluster.createTopics(3, "tk-roundtrip"); // idempotent

        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("tk-roundtrip", "job-1", "hello")).get();
        }
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "tk-roundtrip",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("tk-roundtrip"));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.key() + "=" + r.value()));
            }
            assertThat(seen).containsExactly("job-1=hello");
        }
    }

    @Test
    void schemaRegistryUrlPointsAtTheConfluentApi(ClusterInfo cluster) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> subjects = http.send(
                    HttpRequest.newBuilder(URI.create(cluster.schemaRegistryUrl() + "/subjects")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(subjects.statusCode()).isEqualTo(200);
            assertThat(subjects.body()).startsWith("[");
        }
    }
}
