package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** Asynchronous commits every interval, final synchronous commits, and what each of them writes. */
class OffsetCommitterTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);
    private static final long INTERVAL = 100;

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final AtomicLong monotonicMillis = new AtomicLong(1_000);
    private final AssignedPartitions partitions = new AssignedPartitions();
    private final OffsetCommitter committer = new OffsetCommitter(consumer, new PollWaker(consumer, () -> false),
            partitions, Duration.ofMillis(INTERVAL), Duration.ofSeconds(1), monotonicMillis::get);

    /** A partition with records at offsets 0..{@code count-1}, of which {@code finished} ones are done. */
    private PartitionState partition(TopicPartition tp, int count, long... finished) {
        PartitionState s = new PartitionState(tp, false, 100, 100, 1_000);
        PartitionState.Pending[] pending = new PartitionState.Pending[count];
        for (int o = 0; o < count; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        for (int o = 0; o < count; o++) {
            pending[o] = s.nextReady(0);
            s.started(pending[o], Thread.currentThread());
        }
        for (long o : finished) {
            s.ended(pending[(int) o].seq(), true);
        }
        partitions.add(s);
        return s;
    }

    private void nextInterval() {
        monotonicMillis.addAndGet(INTERVAL);
    }

    @Test
    void commitsAsynchronouslyOnlyOnceTheIntervalHasPassed() {
        partition(P0, 3, 0, 1);

        committer.commitAsyncIfDue(partitions.all());
        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(committer.millisUntilDue()).isEqualTo(INTERVAL);

        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsExactlyEntriesOf(Map.of(P0, 2L));
        assertThat(committer.millisUntilDue()).isEqualTo(INTERVAL);
    }

    @Test
    void asyncCommitWritesTheLowestUnfinishedOffsetOfEachPartition() {
        partition(P0, 5, 0, 1, 3, 4);
        partition(P1, 2, 0, 1);
        nextInterval();

        committer.commitAsyncIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsEntry(P0, 2L).containsEntry(P1, 2L);
    }

    @Test
    void positionWhoseAsyncCommitIsInFlightIsNotAskedAgain() {
        consumer.asyncCommitsInFlight = true;
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).hasValue(1);
    }

    @Test
    void committedPositionIsNotCommittedAgain() {
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        nextInterval();
        committer.commitAsyncIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "test");

        assertThat(consumer.commitAsyncCalls).hasValue(1);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }

    @Test
    void failedAsyncCommitIsAskedAgainAtTheNextInterval() {
        consumer.asyncCommitError = new TimeoutException("coordinator moved");
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).hasValue(2);
    }

    @Test
    void finalCommitRewritesAPositionWhoseAsyncCommitIsStillInFlight() {
        consumer.asyncCommitsInFlight = true;
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitAsyncIfDue(partitions.all());

        committer.commitFinal(partitions.all(), "revocation");

        assertThat(consumer.syncCommits).containsExactlyEntriesOf(Map.of(P0, 2L));
    }

    @Test
    void finalCommitHitByAStrayWakeupStillCommits() {
        consumer.strayWakeupsOnCommitSync = 1;
        PartitionState s = partition(P0, 3, 0, 1);

        committer.commitFinal(partitions.all(), "revocation");

        assertThat(consumer.syncCommits).containsExactlyEntriesOf(Map.of(P0, 2L));
        assertThat(s.finalCommitCandidate()).isEqualTo(-1);
    }

    @Test
    void finalCommitCoversOnlyTheGivenPartitions() {
        PartitionState leaving = partition(P0, 2, 0, 1);
        partition(P1, 2, 0, 1);

        committer.commitFinal(List.of(leaving), "revocation");

        assertThat(consumer.syncCommits).containsOnlyKeys(P0);
    }

    @Test
    void abandonedPartitionIsNeverCommitted() {
        PartitionState s = partition(P0, 3, 0, 1);
        s.abandon();
        nextInterval();

        committer.commitAsyncIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }

    @Test
    void failedFinalCommitIsLoggedAndLeavesThePositionToCommit() {
        consumer.commitSyncFailure = new CommitFailedException("fenced");
        PartitionState s = partition(P0, 3, 0, 1);

        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(consumer.syncCommits).isEmpty();
        assertThat(s.finalCommitCandidate()).isEqualTo(2);
    }

    @Test
    void partitionWithoutRecordsIsNotCommitted() {
        partition(P0, 0);
        nextInterval();

        committer.commitAsyncIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }
}
