package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.testkit.MutableClock;
import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.PauseReason;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The loop's counters as other threads read them. */
class LoopCountersTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final LoopCounters counters = new LoopCounters(10, clock);
    private final AssignedPartitions partitions = new AssignedPartitions();

    private PartitionState partitionWithBuffered(int partition, int records) {
        TopicPartition tp = new TopicPartition("jobs", partition);
        PartitionState s = new PartitionState(tp, false, 1, 100, 1_000);
        for (int o = 0; o < records; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        partitions.add(s);
        return s;
    }

    @Test
    void refreshPublishesJobsInFlightAndTheBufferedRecordsAndCountOfThePartitions() {
        partitionWithBuffered(0, 3);
        partitionWithBuffered(1, 4);

        counters.refresh(6, partitions);

        assertThat(counters.inFlight()).isEqualTo(6);
        assertThat(counters.freePermits()).isEqualTo(4);
        assertThat(counters.buffered()).isEqualTo(7);
        assertThat(counters.assignedPartitions()).isEqualTo(2);
    }

    @Test
    void aCommitRefusedForARebalanceMarksARebalanceSinceTheFirstRefusalUntilItEnds() {
        long first = clock.millis();
        counters.countCommitFailure(CommitFailureReason.REBALANCE);
        clock.advance(Duration.ofSeconds(5));
        counters.countCommitFailure(CommitFailureReason.REBALANCE);

        assertThat(counters.rebalanceSince()).isEqualTo(first);
        assertThat(counters.rebalanceSeconds(clock.millis())).isEqualTo(5.0);

        counters.rebalanceEnded();
        assertThat(counters.rebalanceSince()).isZero();
    }

    @Test
    void otherCommitFailuresMarkNoRebalance() {
        counters.countCommitFailure(CommitFailureReason.TIMEOUT);
        counters.countCommitFailure(CommitFailureReason.OTHER);

        assertThat(counters.rebalanceSince()).isZero();
    }

    @Test
    void freePermitsNeverGoNegative() {
        counters.refresh(12, partitions); // abandoned jobs that have not stopped yet still count as in flight

        assertThat(counters.freePermits()).isZero();
    }

    @Test
    void pauseCountsReplaceThoseOfThePreviousTurn() {
        int[] counts = new int[PauseReason.values().length];
        counts[PauseReason.PERMITS.ordinal()] = 3;
        counters.pausedNow(counts);

        counts[PauseReason.PERMITS.ordinal()] = 0;
        counts[PauseReason.BREAKER.ordinal()] = 2;
        counters.pausedNow(counts);

        assertThat(counters.paused(PauseReason.PERMITS)).isZero();
        assertThat(counters.paused(PauseReason.BREAKER)).isEqualTo(2);
    }

    @Test
    void fetchedAndAbandonedAccumulate() {
        counters.countFetched(5);
        counters.countFetched(2);
        counters.countAbandoned(1);
        counters.countAbandoned(3);

        assertThat(counters.fetched()).isEqualTo(7);
        assertThat(counters.abandoned()).isEqualTo(4);
    }

    @Test
    void skippedFinishedRecordsAccumulate() {
        counters.countSkippedFinished(3);
        counters.countSkippedFinished(997);

        assertThat(counters.skippedFinished()).isEqualTo(1_000);
    }
}
