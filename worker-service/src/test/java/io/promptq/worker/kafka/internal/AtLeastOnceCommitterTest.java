package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.JobOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Without transactions: outputs first, offsets only once they were acknowledged; asynchronous offset commits
 * every interval, final synchronous ones, and what each of them writes - the metadata included, which never names
 * a record finished before its output was written.
 */
class AtLeastOnceCommitterTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);
    private static final long INTERVAL = 100;

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final RecordingProducer producer = new RecordingProducer(false);
    private final AtomicLong monotonicMillis = new AtomicLong(1_000);
    private final AssignedPartitions partitions = new AssignedPartitions();
    private final LoopCounters counters = new LoopCounters(10);
    private final AtLeastOnceCommitter committer = new AtLeastOnceCommitter(consumer,
            new PollWaker(consumer, () -> false), () -> producer, Duration.ofMillis(INTERVAL), Duration.ofSeconds(1),
            monotonicMillis::get, OffsetMetadataCodec.DEFAULT_MAX_CHARS, counters);

    /** A partition with records at offsets 0..{@code count-1}, of which {@code finished} ones are done. */
    private PartitionState partition(TopicPartition tp, int count, long... finished) {
        PartitionState.Pending[] pending = started(tp, count);
        for (long o : finished) {
            finish(tp, pending[(int) o]);
        }
        return partitions.get(tp);
    }

    /** A partition with records at offsets 0..{@code count-1}, all started and none finished yet. */
    private PartitionState.Pending[] started(TopicPartition tp, int count) {
        PartitionState s = new PartitionState(tp, false, 100, 100, 1_000);
        PartitionState.Pending[] pending = new PartitionState.Pending[count];
        for (int o = 0; o < count; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        for (int o = 0; o < count; o++) {
            pending[o] = s.nextReady(0);
            s.started(pending[o], Thread.currentThread());
        }
        partitions.add(s);
        return pending;
    }

    /** The job of {@code p} finished: its output (keyed {@code tp@offset}) waits for the next commit. */
    private void finish(TopicPartition tp, PartitionState.Pending p) {
        PartitionState s = partitions.get(tp);
        long offset = p.record().offset();
        s.ended(p.seq(), true);
        s.awaitCommit(new JobCompletion(s, p.seq(), offset, output(tp, offset)));
    }

    private static JobOutput output(TopicPartition tp, long offset) {
        return JobOutput.of(List.of(new ProducerRecord<>("results", (tp + "@" + offset).getBytes(StandardCharsets.UTF_8),
                new byte[] {1})));
    }

    private void nextInterval() {
        monotonicMillis.addAndGet(INTERVAL);
    }

    @Test
    void commitsAsynchronouslyOnlyOnceTheIntervalHasPassed() {
        partition(P0, 3, 0, 1);

        committer.commitIfDue(partitions.all());
        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(committer.millisUntilDue()).isEqualTo(INTERVAL);

        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsExactlyEntriesOf(Map.of(P0, 2L));
        assertThat(committer.millisUntilDue()).isEqualTo(INTERVAL);
    }

    @Test
    void outputsAreWrittenBeforeTheOffsetsAndEachOnlyOnce() {
        partition(P0, 3, 0, 1);
        nextInterval();

        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer.visibleKeys()).containsExactly(P0 + "@0", P0 + "@1");
        assertThat(producer.flushed()).isTrue();
        assertThat(consumer.asyncCommits).containsExactlyEntriesOf(Map.of(P0, 2L));
    }

    @Test
    void offsetsOfAPartitionWhoseOutputsFailedAreNotCommittedUntilTheyAreWritten() {
        producer.refusal = new TimeoutException("broker busy");
        producer.refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@1");
        PartitionState s = partition(P0, 3, 0, 1);
        partition(P1, 1, 0);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsExactlyEntriesOf(Map.of(P1, 1L));
        assertThat(s.uncommittedOutputs()).extracting(JobCompletion::offset).containsExactly(1L);

        producer.refuse = r -> false;
        monotonicMillis.addAndGet(60_000); // past any backoff
        committer.commitIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsEntry(P0, 2L);
        assertThat(producer.visibleKeys()).containsExactly(P0 + "@0", P1 + "@0", P0 + "@1");
    }

    @Test
    void afterAFailureTheNextAttemptWaitsAtLeastTheInterval() {
        producer.refusal = new TimeoutException("broker busy");
        producer.refuse = r -> true;
        partition(P0, 1, 0);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(committer.millisUntilDue()).isGreaterThanOrEqualTo(INTERVAL);
    }

    @Test
    void asyncCommitWritesTheLowestUnfinishedOffsetOfEachPartition() {
        partition(P0, 5, 0, 1, 3, 4);
        partition(P1, 2, 0, 1);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(consumer.asyncCommits).containsEntry(P0, 2L).containsEntry(P1, 2L);
    }

    @Test
    void positionWhoseAsyncCommitIsInFlightIsNotAskedAgain() {
        consumer.asyncCommitsInFlight = true;
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitIfDue(partitions.all());

        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).hasValue(1);
    }

    @Test
    void committedPositionIsNotCommittedAgain() {
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitIfDue(partitions.all());

        nextInterval();
        committer.commitIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "test");

        assertThat(consumer.commitAsyncCalls).hasValue(1);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }

    @Test
    void failedAsyncCommitIsAskedAgainAtTheNextInterval() {
        consumer.asyncCommitError = new TimeoutException("coordinator moved");
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitIfDue(partitions.all());

        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).hasValue(2);
    }

    @Test
    void failedAsyncCommitReportedWithNullOffsetsIsAskedAgainAtTheNextInterval() {
        consumer.asyncCommitError = new TimeoutException("coordinator moved");
        consumer.nullOffsetsOnAsyncFailure = true;
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitIfDue(partitions.all());

        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).hasValue(2);
        assertThat(counters.commitFailures(CommitFailureReason.TIMEOUT)).isEqualTo(2);
    }

    @Test
    void asyncCommitRefusedDuringARebalanceIsCountedAsARebalanceFailure() {
        consumer.asyncCommitError = new RebalanceInProgressException("rebalancing");
        PartitionState s = partition(P0, 4, 0, 1, 3);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(counters.commitFailures(CommitFailureReason.REBALANCE)).isEqualTo(1);
        assertThat(counters.commitFailures(CommitFailureReason.OTHER)).isZero();
        assertThat(s.finishedUncommitted()).as("0 and 1 below the position, 3 above it").isEqualTo(3);
    }

    @Test
    void finalCommitFailingDuringARebalanceIsCountedAsARebalanceFailure() {
        consumer.commitSyncFailure = new RebalanceInProgressException("rebalancing");
        partition(P0, 3, 0, 1);

        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(counters.commitFailures(CommitFailureReason.REBALANCE)).isEqualTo(1);
    }

    @Test
    void finalCommitRewritesAPositionWhoseAsyncCommitIsStillInFlight() {
        consumer.asyncCommitsInFlight = true;
        partition(P0, 3, 0, 1);
        nextInterval();
        committer.commitIfDue(partitions.all());

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
        assertThat(producer.visibleKeys()).containsExactly(P0 + "@0", P0 + "@1");
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

        committer.commitIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(consumer.commitSyncCalls).hasValue(0);
        assertThat(producer.visible).isEmpty();
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
    void committedOffsetsCarryTheFinishedRecordsAboveThePositionAndTheStartCounts() {
        partition(P0, 4, 1, 2);
        nextInterval();

        committer.commitIfDue(partitions.all());

        OffsetAndMetadata committed = consumer.groupOffsets.get(P0);
        assertThat(committed.offset()).isZero();
        assertThat(CommitMetadata.finished(committed)).containsExactly(1L, 2L);
        assertThat(CommitMetadata.starts(committed)).isEqualTo(Map.of(0L, 1, 3L, 1));
    }

    @Test
    void recordFinishingAboveAStuckOneIsCommittedThoughThePositionStays() {
        PartitionState.Pending[] p = started(P0, 3);
        finish(P0, p[1]);
        nextInterval();
        committer.commitIfDue(partitions.all());

        finish(P0, p[2]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(consumer.commitAsyncCalls).as("one per change, none without").hasValue(2);
        OffsetAndMetadata last = consumer.groupOffsets.get(P0);
        assertThat(last.offset()).isZero();
        assertThat(CommitMetadata.finished(last)).containsExactly(1L, 2L);
    }

    @Test
    void finalCommitWritesAChangeOfTheMetadataAlone() {
        PartitionState.Pending[] p = started(P0, 3);
        finish(P0, p[1]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        finish(P0, p[2]);

        assertThat(committer.commitFinal(partitions.all(), "revocation")).isTrue();

        assertThat(consumer.commitSyncCalls).hasValue(1);
        assertThat(CommitMetadata.finished(consumer.groupOffsets.get(P0))).containsExactly(1L, 2L);
    }

    @Test
    void metadataNeverNamesAsFinishedARecordWhoseOutputWasNotWrittenFirst() {
        List<List<String>> writtenAtCommit = new ArrayList<>();
        consumer.afterCommit = () -> writtenAtCommit.add(producer.visibleKeys());
        PartitionState.Pending[] p = started(P0, 6);
        finish(P0, p[1]);
        finish(P0, p[2]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        // record 3's output fails transiently: nothing of the partition is committed until it is written
        finish(P0, p[3]);
        producer.refusal = new TimeoutException("broker busy");
        producer.refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@3");
        nextInterval();
        committer.commitIfDue(partitions.all());
        finish(P0, p[4]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        producer.refuse = r -> false;
        monotonicMillis.addAndGet(60_000); // past any backoff
        committer.commitIfDue(partitions.all());
        finish(P0, p[0]);
        committer.commitFinal(partitions.all(), "revocation");

        assertThat(consumer.commitLog).hasSize(writtenAtCommit.size()).hasSizeGreaterThanOrEqualTo(3);
        for (int i = 0; i < consumer.commitLog.size(); i++) {
            OffsetAndMetadata o = consumer.commitLog.get(i).get(P0);
            List<String> written = writtenAtCommit.get(i);
            for (long f : CommitMetadata.finished(o)) {
                assertThat(written).as("commit %s names %s finished", o, f).contains(P0 + "@" + f);
            }
            for (long f = 0; f < o.offset(); f++) {
                assertThat(written).as("commit %s passes %s", o, f).contains(P0 + "@" + f);
            }
        }
        assertThat(consumer.groupOffsets.get(P0).offset()).isEqualTo(5);
        assertThat(CommitMetadata.starts(consumer.groupOffsets.get(P0))).isEqualTo(Map.of(5L, 1));
    }

    @Test
    void partitionWithoutRecordsIsNotCommitted() {
        partition(P0, 0);
        nextInterval();

        committer.commitIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }
}
