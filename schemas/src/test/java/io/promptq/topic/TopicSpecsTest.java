package io.promptq.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.kafka.TopicSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicSpecsTest {

    private final TopicSpecs specs = new TopicSpecs(TopicNames.defaults(), 4, Optional.of((short) 1));

    @Test
    void windowsAreCompactedAndDeletedAfterTheGivenRetention() {
        TopicSpec windows = specs.windows(Duration.ofHours(2));

        assertThat(windows.name()).isEqualTo(TopicNames.DEFAULT_WINDOWS);
        assertThat(windows.configs()).isEqualTo(Map.of("cleanup.policy", "compact,delete", "retention.ms", "7200000"));
    }

    @Test
    void totalsAreCompacted() {
        assertThat(specs.totals().configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
    }

    @Test
    void jobRetryDeadLetterAndResultTopicsKeepTheBrokersDefaults() {
        assertThat(specs.worker(2)).extracting(TopicSpec::name).containsExactly(TopicNames.DEFAULT_JOBS,
                "promptq.jobs.retry.1", "promptq.jobs.retry.2", TopicNames.DEFAULT_DEAD_LETTERS,
                TopicNames.DEFAULT_RESULTS);
        assertThat(specs.worker(2)).allSatisfy(spec -> assertThat(spec.configs()).isEmpty());
    }

    @Test
    void everyTopicGetsTheCreatorsPartitionsAndReplication() {
        assertThat(specs.all(3, Duration.ofDays(1))).hasSize(8).allSatisfy(spec -> {
            assertThat(spec.partitions()).isEqualTo(4);
            assertThat(spec.replication()).contains((short) 1);
        });
    }

    @Test
    void aTopicSharedByTwoCreatorsHasOneSpec() {
        List<TopicSpec> aggregator = specs.aggregator(Duration.ofDays(1));

        assertThat(aggregator).containsExactly(specs.results(), specs.totals(), specs.windows(Duration.ofDays(1)));
        assertThat(specs.all(1, Duration.ofDays(1))).containsAll(aggregator);
    }
}
