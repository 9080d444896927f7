package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.promptq.local.internal.FreePorts;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Given a 3-node cluster, when one node is stopped and started again, then clients keep working throughout. */
class EmbeddedKafkaMultiNodeIT {

    @Test
    void aThreeNodeClusterSurvivesOneStoppedNodeAndFreesAllPortsOnClose() throws Exception {
        List<Integer> ports = new ArrayList<>();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Config.builder().nodes(3).build());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            for (int i = 0; i < 3; i++) {
                ports.add(kafka.brokerPort(i));
                ports.add(kafka.controllerPort(i));
            }
            assertThat(kafka.bootstrapServers().split(",")).hasSize(3).allMatch(s -> s.startsWith("127.0.0.1:"));
            LocalCluster.createTopics(admin, List.of(new NewTopic("mn-jobs", 3, (short) 3)), Duration.ofSeconds(30));

            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("mn-jobs", "k", "before")).get(30, TimeUnit.SECONDS);

                kafka.stopBroker(1);
                assertThat(kafka.isRunning(1)).isFalse();
                producer.send(new ProducerRecord<>("mn-jobs", "k", "during")).get(30, TimeUnit.SECONDS);

                kafka.startBroker(1);
                assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(3);
                producer.send(new ProducerRecord<>("mn-jobs", "k", "after")).get(30, TimeUnit.SECONDS);
            }

            try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "mn",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("mn-jobs"));
                List<String> seen = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (seen.size() < 3 && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
                }
                assertThat(seen).containsExactly("before", "during", "after");
            }
        }
        assertThat(ports).allMatch(FreePorts::isFree, "free after close");
    }
}
