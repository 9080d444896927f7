package io.promptq.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** The provisioner against the shared real broker. */
@PromptqCluster
class TopicProvisionerIT {

    private final Admin admin;

    TopicProvisionerIT(ClusterInfo cluster) {
        this.admin = cluster.admin();
    }

    @Test
    void createsMissingTopicsWithTheirConfigsAndReturnsOnceEveryPartitionIsServed() throws Exception {
        String name = unique("provisioned");
        TopicSpec spec = TopicSpec.of(name, 3, Optional.empty())
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
                .withConfig(TopicConfig.RETENTION_MS_CONFIG, "3600000");

        Set<String> created = TopicProvisioner.create(admin).ensure(List.of(spec));

        assertThat(created).containsExactly(name);
        assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(3);
        Config config = config(name);
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
        assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("3600000");
        ListOffsetsResult offsets = admin.listOffsets(Map.of(new TopicPartition(name, 2), OffsetSpec.latest()));
        assertThat(offsets.all().get(5, TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    void anExistingTopicIsLeftAsItIs() throws Exception {
        String name = unique("existing");
        TopicProvisioner provisioner = TopicProvisioner.create(admin);
        provisioner.ensure(List.of(TopicSpec.of(name, 2, Optional.empty())));

        Set<String> created = provisioner.ensure(List.of(TopicSpec.of(name, 5, Optional.empty())
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));

        assertThat(created).isEmpty();
        assertThat(admin.describeTopics(List.of(name)).allTopicNames().get().get(name).partitions()).hasSize(2);
        assertThat(config(name).get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
    }

    @Test
    void concurrentProvisionersOfTheSameTopicsAllSucceedAndOneCreatesEach() throws Exception {
        List<TopicSpec> specs = List.of(TopicSpec.of(unique("race-a"), 2, Optional.empty()),
                TopicSpec.of(unique("race-b"), 2, Optional.empty()));
        List<Callable<Set<String>>> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            racers.add(() -> TopicProvisioner.create(admin).ensure(specs));
        }
        ExecutorService threads = Executors.newFixedThreadPool(racers.size());
        try {
            List<String> createdByAll = new ArrayList<>();
            for (Future<Set<String>> f : threads.invokeAll(racers)) {
                createdByAll.addAll(f.get());
            }
            assertThat(createdByAll).containsExactlyInAnyOrder(specs.get(0).name(), specs.get(1).name());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aRefusedTopicFailsAtOnceNamingTheTopicAndTheBrokersReason() {
        String name = unique("refused");
        TopicSpec impossible = TopicSpec.of(name, 1, Optional.of((short) 99));

        assertThatThrownBy(() -> TopicProvisioner.create(admin, Duration.ofMinutes(5)).ensure(List.of(impossible)))
                .isInstanceOf(TopicProvisioningException.class)
                .hasMessageContaining("cannot create topic " + name)
                .hasMessageContaining("InvalidReplicationFactorException")
                .satisfies(e -> assertThat(((TopicProvisioningException) e).topics()).containsExactly(name));
    }

    @Test
    void anUnreachableBrokerFailsAfterTheDeadlineNamingTheTopics() {
        String name = unique("unreachable");
        try (Admin nowhere = Admin.create(Map.of("bootstrap.servers", "127.0.0.1:1",
                "default.api.timeout.ms", "2000", "request.timeout.ms", "1000"))) {
            assertThatThrownBy(() -> TopicProvisioner.create(nowhere, Duration.ofSeconds(2))
                    .ensure(List.of(TopicSpec.of(name, 1, Optional.empty()))))
                    .isInstanceOf(TopicProvisioningException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining("within 2000 ms");
        }
    }

    private Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static String unique(String prefix) {
        return "prov-it-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
