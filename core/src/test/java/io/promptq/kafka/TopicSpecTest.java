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
}
