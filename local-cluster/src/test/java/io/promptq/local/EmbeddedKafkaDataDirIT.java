package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Given a 3-node cluster whose nodes are their own processes on a persistent data directory: one node killed with
 * SIGKILL is really gone (its pid ends) while the others keep serving, and starts again on its own data; and when the
 * whole cluster is stopped (SIGTERM to every node) and started again on that directory, it is the same cluster (same
 * id) with the same replicated topic, records and committed group offsets.
 */
class EmbeddedKafkaDataDirIT {

    private static final String TOPIC = "dd-jobs";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aThreeProcessClusterSurvivesAKilledBrokerAndARestartOnItsDataDir(@TempDir Path dir) throws Exception {
        EmbeddedKafka.Config config = EmbeddedKafka.Config.builder().nodes(3).nodeProcesses(true).dataDir(dir).build();
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config);
             Admin admin = admin(kafka)) {
            clusterId = kafka.clusterId();
            LocalCluster.createTopics(admin, List.of(new NewTopic(TOPIC, 1, (short) 3)), Duration.ofSeconds(30));
            send(kafka, "v1");

            long pid = kafka.brokerPid(1).orElseThrow();
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            kafka.killBroker(1);
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("broker 1's JVM is gone").isFalse();
            assertThat(kafka.isRunning(1)).isFalse();
            send(kafka, "v2"); // the other two still serve
            kafka.startBroker(1);
            assertThat(kafka.brokerPid(1).orElseThrow()).isNotEqualTo(pid);
            send(kafka, "v3");
            admin.alterConsumerGroupOffsets("dd-group", Map.of(PARTITION, new OffsetAndMetadata(2)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        assertThat(dir.resolve(EmbeddedKafka.CLUSTER_ID_FILE)).exists();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(config);
             Admin admin = admin(kafka)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo(clusterId);
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).hasSize(3);
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(TOPIC);
            long end = admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest())).partitionResult(PARTITION)
                    .get(10, TimeUnit.SECONDS).offset();
            assertThat(end).isEqualTo(3L);
            assertThat(admin.listConsumerGroupOffsets("dd-group").partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .get(PARTITION).offset()).isEqualTo(2L);
        }
    }

    private static void send(EmbeddedKafka kafka, String value) throws Exception {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
