package io.promptq.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * Every promptq topic, created on the real broker with the default replication: the retry tiers keep their
 * records well past the longest delay, and replication and {@code min.insync.replicas} are set on the topic
 * itself, not left to the broker's defaults.
 */
@PromptqCluster
class TopicSpecsIT {

    private final Admin admin;

    TopicSpecsIT(ClusterInfo cluster) {
        this.admin = cluster.admin();
    }

    @Test
    void everyTopicIsCreatedWithExplicitDurabilityAndTheRetryTiersOutliveTheLongestDelay() throws Exception {
        String prefix = "specs-it-" + UUID.randomUUID().toString().substring(0, 8);
        TopicSpecs specs = TopicSpecs.of(new TopicNames(prefix + ".jobs", prefix + ".retry", prefix + ".dlq",
                prefix + ".results", prefix + ".totals", prefix + ".windows"), 2);
        List<TopicSpec> all = specs.all(2, Duration.ofDays(2), Duration.ofDays(1), Duration.ofHours(24));

        TopicProvisioner.create(admin).ensure(all);

        int brokers = admin.describeCluster().nodes().get().size();
        List<String> names = all.stream().map(TopicSpec::name).toList();
        Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get();
        for (String name : names) {
            assertThat(described.get(name).partitions()).allSatisfy(p ->
                    assertThat(p.replicas()).as(name).hasSize(Math.min(3, brokers)));
            ConfigEntry minInSync = config(name).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
            assertThat(minInSync.source()).as(name).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(minInSync.value()).as(name).isEqualTo(Integer.toString(Math.min(2, Math.min(3, brokers))));
        }
        for (TopicSpec retry : specs.retries(2, Duration.ofDays(2))) {
            ConfigEntry retention = config(retry.name()).get(TopicConfig.RETENTION_MS_CONFIG);
            assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(retention.value()).isEqualTo(Long.toString(Duration.ofDays(20).toMillis()));
        }
    }

    private Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
