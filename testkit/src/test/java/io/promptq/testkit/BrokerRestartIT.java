package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import io.promptq.local.EmbeddedKafka;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Given a running shared broker, when it is stopped and started again, then existing clients carry on. */
@PromptqCluster
class BrokerRestartIT {

    @Test
    void clientsResumeAfterTheBrokerIsStoppedAndStarted(ClusterInfo cluster) throws Exception {
        EmbeddedKafka kafka = cluster.embedded().orElseThrow();
        cluster.createTopics(1, "tk-restart");

        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("tk-restart", "before")).get(10, TimeUnit.SECONDS);

            kafka.stopBroker(0);
            try {
                assertThat(kafka.isRunning(0)).isFalse();
                assertThatThrownBy(() -> cluster.admin()
                        .describeCluster(new DescribeClusterOptions().timeoutMs(1_000)).nodes().get())
                        .isInstanceOf(ExecutionException.class);
                // Sent while Kafka is down: with Kafka 4 clients (metadata.recovery.strategy=rebootstrap)
                // send() blocks for metadata up to max.block.ms, so it runs on another thread.
                CompletableFuture<RecordMetadata> during = CompletableFuture.supplyAsync(() -> {
                    try {
                        return producer.send(new ProducerRecord<>("tk-restart", "during")).get();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                Thread.sleep(500);
                assertThat(during).isNotDone();
                kafka.startBroker(0);
                assertThat(during.get(60, TimeUnit.SECONDS).offset()).isEqualTo(1);
            } finally {
                kafka.startBroker(0); // idempotent; keeps the shared cluster usable if an assertion failed
            }
            producer.send(new ProducerRecord<>("tk-restart", "after")).get(30, TimeUnit.SECONDS);
        }

        assertThat(cluster.admin().describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(1);
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "tk-restart",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("tk-restart"));
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 3 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
            assertThat(seen).containsExactly("before", "during", "after");
        }
    }
}
