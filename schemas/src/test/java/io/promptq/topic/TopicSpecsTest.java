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
        assertThat(specs.all(3, Duration.ofDays(1), Duration.ofHours(24))).hasSize(9).allSatisfy(spec -> {
            assertThat(spec.partitions()).isEqualTo(4);
            assertThat(spec.replication()).contains((short) 1);
        });
    }

    @Test
    void aTopicSharedByTwoCreatorsHasOneSpec() {
        List<TopicSpec> aggregator = specs.aggregator(Duration.ofDays(1));

        assertThat(aggregator).containsExactly(specs.results(), specs.totals(), specs.windows(Duration.ofDays(1)));
        assertThat(specs.all(1, Duration.ofDays(1), Duration.ofHours(24))).containsAll(aggregator);
        assertThat(specs.all(1, Duration.ofDays(1), Duration.ofHours(24))).containsAll(specs.submitter(Duration.ofHours(24)));
    }

    @Test
    void theIdempotencyLedgerIsCompactedDeletedAfterTheWindowAndCoPartitionedWithTheJobs() {
        TopicSpec ledger = specs.idempotency(Duration.ofHours(24));

        assertThat(ledger.name()).isEqualTo("promptq.jobs.idempotency");
        assertThat(ledger.partitions()).isEqualTo(specs.jobs().partitions());
        assertThat(ledger.configs()).isEqualTo(Map.of("cleanup.policy", "compact,delete", "retention.ms", "86400000"));
        assertThat(specs.submitter(Duration.ofHours(24))).containsExactly(specs.jobs(), ledger);
    }
}
