package io.promptq.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicSpecTest {

    @Test
    void withConfigAddsAKeyAndLeavesTheOriginalUnchanged() {
        TopicSpec plain = TopicSpec.of("t", 3, Optional.empty());

        TopicSpec compacted = plain.withConfig("cleanup.policy", "compact");

        assertThat(compacted.configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(plain.configs()).isEmpty();
    }

    @Test
    void partitionsBelowOneAreRefusedNamingTheTopic() {
        assertThatThrownBy(() -> TopicSpec.of("jobs", 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partitions of topic jobs must be at least 1, but was 0");
    }

    @Test
    void replicationBelowOneIsRefusedNamingTheTopic() {
        assertThatThrownBy(() -> TopicSpec.of("jobs", 1, Optional.of((short) 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replication of topic jobs must be at least 1, but was 0");
    }

    @Test
    void unsetReplicationAndMinInSyncReplicasBecomeExplicitForTheClusterSize() {
        TopicSpec plain = TopicSpec.of("jobs", 3, Optional.empty()).withConfig("retention.ms", "1000");

        assertThat(plain.isExplicit()).isFalse();
        assertThat(plain.explicitFor(1)).isEqualTo(TopicSpec.of("jobs", 3, Optional.of((short) 1))
                .withConfig("retention.ms", "1000").withConfig("min.insync.replicas", "1"));
        assertThat(plain.explicitFor(2).replication()).contains((short) 2);
        assertThat(plain.explicitFor(2).configs()).containsEntry("min.insync.replicas", "2");
        assertThat(plain.explicitFor(5).replication()).contains((short) 3);
        assertThat(plain.explicitFor(5).configs()).containsEntry("min.insync.replicas", "2");
        assertThat(plain.explicitFor(5).isExplicit()).isTrue();
    }

    @Test
    void explicitValuesAreKept() {
        TopicSpec set = TopicSpec.of("jobs", 3, Optional.of((short) 4)).withConfig("min.insync.replicas", "3");

        assertThat(set.isExplicit()).isTrue();
        assertThat(set.explicitFor(6)).isEqualTo(set);
        assertThat(TopicSpec.of("jobs", 3, Optional.of((short) 1)).explicitFor(6).configs())
                .containsEntry("min.insync.replicas", "1");
    }

    @Test
    void minInSyncReplicasAboveTheReplicationFactorIsRefusedNamingTheTopic() {
        TopicSpec impossible = TopicSpec.of("jobs", 3, Optional.of((short) 2)).withConfig("min.insync.replicas", "3");

        assertThatThrownBy(() -> impossible.explicitFor(3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("min.insync.replicas of topic jobs must be between 1 and its replication factor 2, but was 3");
    }
}
