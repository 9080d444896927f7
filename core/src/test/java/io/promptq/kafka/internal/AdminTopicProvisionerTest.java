package io.promptq.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class AdminTopicProvisionerTest {

    private static final Node BROKER = new Node(1, "localhost", 9092);

    @Test
    void specBecomesARequestWithItsPartitionsReplicationAndConfigs() {
        TopicSpec spec = TopicSpec.of("windows", 6, Optional.of((short) 3)).withConfig("retention.ms", "3600000");

        NewTopic request = AdminTopicProvisioner.toNewTopic(spec);

        assertThat(request.name()).isEqualTo("windows");
        assertThat(request.numPartitions()).isEqualTo(6);
        assertThat(request.replicationFactor()).isEqualTo((short) 3);
        assertThat(request.configs()).isEqualTo(Map.of("retention.ms", "3600000"));
    }

    @Test
    void specWithoutReplicationLeavesItToTheBroker() {
        NewTopic request = AdminTopicProvisioner.toNewTopic(TopicSpec.of("jobs", 1, Optional.empty()));

        assertThat(request.replicationFactor()).isEqualTo((short) -1);
    }

    @Test
    void transientErrorsAreRetriedAndRefusalsAreNot() {
        assertThat(AdminTopicProvisioner.retriable(new org.apache.kafka.common.errors.TimeoutException("t"))).isTrue();
        assertThat(AdminTopicProvisioner.retriable(new TimeoutException("t"))).isTrue();
        assertThat(AdminTopicProvisioner.retriable(new UnknownTopicOrPartitionException("t"))).isTrue();
        assertThat(AdminTopicProvisioner.retriable(new LeaderNotAvailableException("t"))).isTrue();
        assertThat(AdminTopicProvisioner.retriable(new InvalidReplicationFactorException("r"))).isFalse();
        assertThat(AdminTopicProvisioner.retriable(new TopicAuthorizationException("a"))).isFalse();
    }

    @Test
    void aPartitionWithoutLeaderIsNamed() {
        TopicDescription ready = description("a", BROKER, BROKER);
        TopicDescription waiting = description("b", BROKER, null);

        assertThat(AdminTopicProvisioner.firstPartitionWithoutLeader(List.of(ready))).isEmpty();
        assertThat(AdminTopicProvisioner.firstPartitionWithoutLeader(List.of(ready, waiting))).contains("b-1");
        assertThat(AdminTopicProvisioner.firstPartitionWithoutLeader(List.of(description("c", Node.noNode()))))
                .contains("c-0");
    }

    @Test
    void aProvisionerNeedsADeadline() {
        Backoff unbounded = Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(2)).build();

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", "localhost:1"))) {
            assertThatThrownBy(() -> TopicProvisioner.create(admin, unbounded))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxElapsed");
        }
    }

    private static TopicDescription description(String name, Node... leaders) {
        List<TopicPartitionInfo> partitions = new ArrayList<>();
        for (int i = 0; i < leaders.length; i++) {
            partitions.add(new TopicPartitionInfo(i, leaders[i], List.of(BROKER), List.of(BROKER)));
        }
        return new TopicDescription(name, false, partitions);
    }
}
