package io.promptq.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void jobDeadLetterAndResultTopicsKeepTheBrokersDefaultCleanup() {
        assertThat(specs.worker(2, Duration.ofMinutes(5))).extracting(TopicSpec::name).containsExactly(
                TopicNames.DEFAULT_JOBS, "promptq.jobs.retry.1", "promptq.jobs.retry.2",
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS);
        assertThat(List.of(specs.jobs(), specs.deadLetters(), specs.results()))
                .allSatisfy(spec -> assertThat(spec.configs()).isEmpty());
    }

    @Test
    void retryTiersKeepTheirRecordsAWeekOrTenTimesTheLongestDelayWhicheverIsLonger() {
        assertThat(specs.retries(2, Duration.ofMinutes(5))).allSatisfy(spec -> assertThat(spec.configs())
                .isEqualTo(Map.of("retention.ms", Long.toString(Duration.ofDays(7).toMillis()))));
        assertThat(specs.retry(0, Duration.ofDays(1)).configs())
                .isEqualTo(Map.of("retention.ms", Long.toString(Duration.ofDays(10).toMillis())));
        assertThat(specs.worker(3, Duration.ofDays(2)).subList(1, 4)).allSatisfy(spec -> assertThat(spec.configs())
                .containsEntry("retention.ms", Long.toString(Duration.ofDays(20).toMillis())));
    }

    @Test
    void retryRetentionComfortablyExceedsTheLongestDelay() {
        assertThat(TopicSpecs.retryRetention(Duration.ZERO)).isEqualTo(Duration.ofDays(7));
        assertThat(TopicSpecs.retryRetention(Duration.ofDays(7))).isEqualTo(Duration.ofDays(70));
        assertThatThrownBy(() -> TopicSpecs.retryRetention(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longestDelay");
    }

    @Test
    void aConfiguredMinInSyncReplicasIsSetOnEveryTopic() {
        TopicSpecs durable = new TopicSpecs(TopicNames.defaults(), 4, Optional.of((short) 3), Optional.of(2));

        assertThat(durable.all(2, Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(24)))
                .hasSize(8).allSatisfy(spec -> assertThat(spec.configs()).containsEntry("min.insync.replicas", "2"));
        assertThatThrownBy(() -> new TopicSpecs(TopicNames.defaults(), 4, Optional.of((short) 2), Optional.of(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minInSyncReplicas");
    }

    @Test
    void everyTopicGetsTheCreatorsPartitionsAndReplication() {
        assertThat(specs.all(3, Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(24))).hasSize(9).allSatisfy(spec -> {
            assertThat(spec.partitions()).isEqualTo(4);
            assertThat(spec.replication()).contains((short) 1);
        });
    }

    @Test
    void aTopicSharedByTwoCreatorsHasOneSpec() {
        List<TopicSpec> aggregator = specs.aggregator(Duration.ofDays(1));

        assertThat(aggregator).containsExactly(specs.results(), specs.totals(), specs.windows(Duration.ofDays(1)));
        assertThat(specs.all(1, Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(24))).containsAll(aggregator);
        assertThat(specs.all(1, Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofHours(24))).containsAll(specs.submitter(Duration.ofHours(24)));
    }

    @Test
    void theIdempotencyLedgerIsCompactedDeletedAfterTheWindowAndCoPartitionedWithTheJobs() {
        TopicSpec ledger = specs.idempotency(Duration.ofHours(24));

        assertThat(ledger.name()).isEqualTo("promptq.jobs.idempotency");
        assertThat(ledger.partitions()).isEqualTo(specs.jobs().partitions());
        assertThat(ledger.configs()).isEqualTo(Map.of("cleanup.policy", "compact,delete", "retention.ms", "86400000"));
        assertThat(specs.submitter(Duration.ofHours(24))).containsExactly(specs.jobs(), ledger);
    }

    @Test
    void theWorkersStatusTopicHasOnePartitionIsCompactedAndDeletedAfterAnHourAndIsNamedAfterTheJobs() {
        TopicSpec workers = specs.workers();

        assertThat(workers.name()).isEqualTo("promptq.jobs.workers");
        assertThat(workers.partitions()).isEqualTo(1);
        assertThat(workers.configs()).isEqualTo(Map.of("cleanup.policy", "compact,delete", "retention.ms", "3600000",
                "segment.ms", "600000"));
    }
}
