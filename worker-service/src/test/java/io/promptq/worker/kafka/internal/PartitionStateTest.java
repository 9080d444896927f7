package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.PauseReason;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionStateTest {

    private static final TopicPartition JOBS = new TopicPartition("jobs", 0);
    private static final TopicPartition RETRY = new TopicPartition("jobs.retry.1", 0);
    private static final long NOW = 1_000_000;

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[] {1}, new byte[] {2});
    }

    private static PartitionState.Pending startNext(PartitionState s, long now) {
        PartitionState.Pending p = s.nextReady(now);
        s.started(p, Thread.currentThread());
        return p;
    }

    @Test
    void isPausedWhenAllPermitsAreTakenAndResumedWhenOneFrees() {
        PartitionState s = new PartitionState(JOBS, false, 2, 5, 1000);
        for (long o = 0; o < 3; o++) {
            s.add(record(JOBS, o), 0);
        }
        PartitionState.Pending first = startNext(s, NOW);
        assertThat(s.evaluate(null, false, false, NOW)).isNull();
        startNext(s, NOW);

        assertThat(s.canStart()).isFalse();
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.PERMITS);
        assertThat(s.buffered()).isEqualTo(1);

        s.ended(first.seq(), true);
        assertThat(s.canStart()).isTrue();
        startNext(s, NOW);
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.PERMITS);
    }

    @Test
    void fullBufferLeavesNoRoomAndPauses() {
        PartitionState s = new PartitionState(JOBS, false, 1, 2, 1000);
        s.add(record(JOBS, 0), 0);
        startNext(s, NOW);
        s.add(record(JOBS, 1), 0);
        s.add(record(JOBS, 2), 0);

        assertThat(s.hasRoom()).isFalse();
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.PERMITS);
    }

    @Test
    void workerCapPausesAPartitionWithFreePermitsOnceItsBufferIsFull() {
        PartitionState s = new PartitionState(JOBS, false, 5, 2, 1000);
        assertThat(s.evaluate(null, true, false, NOW)).isNull();
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        assertThat(s.evaluate(null, true, false, NOW)).isEqualTo(PauseReason.WORKER_CAP);
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.PERMITS);
    }

    @Test
    void intakeGateWinsOverEverythingButShutdown() {
        PartitionState s = new PartitionState(JOBS, false, 5, 5, 1000);
        assertThat(s.evaluate(PauseReason.BREAKER, true, true, NOW)).isEqualTo(PauseReason.BREAKER);
        s.drain();
        assertThat(s.evaluate(PauseReason.BREAKER, true, true, NOW)).isEqualTo(PauseReason.SHUTDOWN);
    }

    @Test
    void pausesForLackOfPermitsAreReportedAsRateLimitWhileCallsWaitForBudget() {
        PartitionState s = new PartitionState(JOBS, false, 1, 5, 1000);
        s.add(record(JOBS, 0), 0);
        startNext(s, NOW);
        assertThat(s.evaluate(null, false, true, NOW)).isEqualTo(PauseReason.RATE_LIMIT);
    }

    @Test
    void retryTierStartsDueRecordsBeforeEarlierOnesThatAreNotDue() {
        PartitionState s = new PartitionState(RETRY, true, 5, 5, 1000);
        s.add(record(RETRY, 0), NOW + 5_000);
        s.add(record(RETRY, 1), NOW - 10);
        s.add(record(RETRY, 2), NOW + 1_000);

        PartitionState.Pending p = s.nextReady(NOW);
        assertThat(p.record().offset()).isEqualTo(1);
        assertThat(s.nextReady(NOW)).isNull();
        assertThat(s.nextDueAt(NOW)).isEqualTo(NOW + 1_000);
        assertThat(s.nextReady(NOW + 1_000).record().offset()).isEqualTo(2);
        assertThat(s.nextDueAt(NOW + 1_000)).isEqualTo(NOW + 5_000);
    }

    @Test
    void retryTierFullOfRecordsNotYetDueIsPausedUntilTheEarliestIsDue() {
        PartitionState s = new PartitionState(RETRY, true, 5, 2, 1000);
        s.add(record(RETRY, 0), NOW + 5_000);
        s.add(record(RETRY, 1), NOW + 3_000);

        assertThat(s.nextReady(NOW)).isNull();
        assertThat(s.hasRoom()).isFalse();
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.RETRY_NOT_DUE);
        assertThat(s.nextDueAt(NOW)).isEqualTo(NOW + 3_000);
        assertThat(s.commitPosition()).isZero();
    }

    @Test
    void tooManyUncommittableRecordsBehindAStuckOnePause() {
        PartitionState s = new PartitionState(JOBS, false, 2, 2, 4);
        s.add(record(JOBS, 0), 0);
        startNext(s, NOW); // stuck
        for (long o = 1; o <= 3; o++) {
            s.add(record(JOBS, o), 0);
            PartitionState.Pending p = startNext(s, NOW);
            s.ended(p.seq(), true);
        }
        assertThat(s.outstanding()).isEqualTo(4);
        assertThat(s.hasRoom()).isFalse();
        assertThat(s.evaluate(null, false, false, NOW)).isEqualTo(PauseReason.UNCOMMITTED_LIMIT);
        assertThat(s.commitPosition()).isZero();
    }

    @Test
    void drainingDropsTheBufferWhoseRecordsStayUncommitted() {
        PartitionState s = new PartitionState(JOBS, false, 1, 5, 1000);
        s.add(record(JOBS, 0), 0);
        PartitionState.Pending running = startNext(s, NOW);
        s.add(record(JOBS, 1), 0);

        s.drain();
        assertThat(s.buffered()).isZero();
        assertThat(s.canStart()).isFalse();
        assertThat(s.hasRoom()).isFalse();
        s.ended(running.seq(), true);
        assertThat(s.commitPosition()).isEqualTo(1);
    }

    @Test
    void commitCandidateOnlyWhenThePositionMoved() {
        PartitionState s = new PartitionState(JOBS, false, 2, 5, 1000);
        s.add(record(JOBS, 0), 0);
        PartitionState.Pending p = startNext(s, NOW);
        assertThat(s.commitCandidate()).isZero();
        s.commitRequested(0);
        assertThat(s.commitCandidate()).isEqualTo(-1);
        s.ended(p.seq(), true);
        assertThat(s.commitCandidate()).isEqualTo(1);
        s.commitRequested(1);
        s.commitFailed();
        assertThat(s.commitCandidate()).isEqualTo(1);
        s.commitSucceeded(1);
        assertThat(s.commitCandidate()).isEqualTo(-1);
    }

    @Test
    void finalCommitDoesNotTrustAnAsyncCommitStillInFlight() {
        PartitionState s = new PartitionState(JOBS, false, 2, 5, 1000);
        s.add(record(JOBS, 0), 0);
        PartitionState.Pending p = startNext(s, NOW);
        s.ended(p.seq(), true);
        s.commitRequested(1);

        assertThat(s.commitCandidate()).as("periodic commit waits for the pending one").isEqualTo(-1);
        assertThat(s.finalCommitCandidate()).as("a revocation or shutdown commits it again").isEqualTo(1);

        s.commitSucceeded(1);
        assertThat(s.finalCommitCandidate()).isEqualTo(-1);
    }

    // ------------------------------------------------------------------ offset metadata

    private static final int LIMIT = OffsetMetadataCodec.DEFAULT_MAX_CHARS;

    /** The next owner: a new state restored from {@code commit}, fed offsets {@code commit.offset()..to-1}. */
    private static List<PartitionState.Pending> nextOwner(OffsetAndMetadata commit, long to) {
        PartitionState s = new PartitionState(JOBS, false, 5, 10_000, 100_000);
        s.restore(commit.offset(), commit.metadata());
        for (long o = commit.offset(); o < to; o++) {
            s.add(record(JOBS, o), 0);
        }
        List<PartitionState.Pending> buffered = new ArrayList<>();
        for (PartitionState.Pending p; (p = s.nextReady(NOW)) != null; ) {
            buffered.add(p);
        }
        return buffered;
    }

    private static List<Long> offsets(List<PartitionState.Pending> pending) {
        return pending.stream().map(p -> p.record().offset()).toList();
    }

    @Test
    void offsetFetchedAgainAfterALogTruncationResetsTrackingFromThereAndIgnoresForgottenJobs() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        for (long o = 0; o < 5; o++) {
            s.add(record(JOBS, o), 0);
        }
        PartitionState.Pending p0 = startNext(s, NOW);
        PartitionState.Pending p1 = startNext(s, NOW);
        PartitionState.Pending p2 = startNext(s, NOW);
        s.ended(p0.seq(), true);

        assertThat(s.add(record(JOBS, 2), 0)).as("the truncated log's record 2 is taken").isTrue();

        assertThat(s.buffered()).as("old 3 and 4 dropped, new 2 buffered").isEqualTo(1);
        s.ended(p2.seq(), true);
        s.awaitCommit(new JobCompletion(s, p2.seq(), 2, JobOutput.of(List.of(
                new ProducerRecord<>("results", new byte[] {2})))));
        assertThat(s.uncommittedOutputs()).as("the forgotten job's output").isEmpty();
        assertThat(s.inFlight()).as("its permit is back").isEqualTo(1);
        assertThat(s.commitPosition()).as("1 still runs").isEqualTo(1);
        s.ended(p1.seq(), true);
        assertThat(s.commitPosition()).as("the new 2 is not finished").isEqualTo(2);
        PartitionState.Pending again = startNext(s, NOW);
        assertThat(again.record().offset()).isEqualTo(2);
        s.ended(again.seq(), true);
        assertThat(s.commitPosition()).isEqualTo(3);
        assertThat(s.add(record(JOBS, 3), 0)).isTrue();
    }

    @Test
    void finishedAheadRecordsAreSkippedAfterRestore() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        for (long o = 0; o < 5; o++) {
            s.add(record(JOBS, o), 0);
        }
        startNext(s, NOW); // 0 stays running
        startNext(s, NOW); // 1 too
        for (int i = 0; i < 3; i++) {
            PartitionState.Pending p = startNext(s, NOW);
            s.ended(p.seq(), true); // 2, 3, 4 finish
        }
        OffsetAndMetadata commit = s.commitCandidate(LIMIT);
        assertThat(commit.offset()).isZero();

        PartitionState next = new PartitionState(JOBS, false, 5, 10, 1000);
        next.restore(commit.offset(), commit.metadata());
        List<Boolean> buffered = new ArrayList<>();
        for (long o = 0; o < 7; o++) {
            buffered.add(next.add(record(JOBS, o), 0));
        }

        assertThat(buffered).containsExactly(true, true, false, false, false, true, true);
        assertThat(next.skippedFinished()).isEqualTo(3);
        assertThat(next.buffered()).isEqualTo(4);
        PartitionState.Pending zero = startNext(next, NOW);
        assertThat(zero.previousStarts()).as("started once by the previous owner").isEqualTo(1);
        next.ended(zero.seq(), true);
        PartitionState.Pending one = startNext(next, NOW);
        next.ended(one.seq(), true);
        assertThat(next.commitPosition()).as("the skipped records count as finished").isEqualTo(5);
    }

    @Test
    void finishedRecordsBehindAStuckOneAreNotRunAgainByTheNextOwner() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 10_000);
        s.add(record(JOBS, 0), 0);
        startNext(s, NOW); // stuck in a long call
        for (long o = 1; o <= 1_000; o++) {
            s.add(record(JOBS, o), 0);
            s.ended(startNext(s, NOW).seq(), true);
        }

        OffsetAndMetadata commit = s.finalCommitCandidate(LIMIT);

        assertThat(commit.offset()).isZero();
        List<PartitionState.Pending> again = nextOwner(commit, 1_500);
        assertThat(offsets(again).subList(0, 2)).containsExactly(0L, 1_001L);
        assertThat(again).hasSize(500);
        assertThat(again.get(0).previousStarts()).as("the stuck job was started once").isEqualTo(1);
    }

    @Test
    void startCountsSurviveARoundTrip() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        startNext(s, NOW);
        startNext(s, NOW); // both die with the worker

        OffsetAndMetadata commit = s.commitCandidate(LIMIT);
        List<PartitionState.Pending> second = nextOwner(commit, 2);
        assertThat(second).extracting(PartitionState.Pending::previousStarts).containsExactly(1, 1);

        PartitionState third = new PartitionState(JOBS, false, 5, 10, 1000);
        third.restore(commit.offset(), commit.metadata());
        third.add(record(JOBS, 0), 0);
        third.add(record(JOBS, 1), 0);
        startNext(third, NOW);
        PartitionState.Pending one = startNext(third, NOW);
        third.ended(one.seq(), true); // 1 finishes this time, 0 dies again
        List<PartitionState.Pending> fourth = nextOwner(third.commitCandidate(LIMIT), 2);

        assertThat(fourth).hasSize(1);
        assertThat(fourth.get(0).record().offset()).isZero();
        assertThat(fourth.get(0).previousStarts()).isEqualTo(2);
    }

    @Test
    void aJobHandedOverCleanlyDoesNotCountAsAStart() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        startNext(s, NOW);
        OffsetAndMetadata periodic = s.commitCandidate(LIMIT); // a periodic commit already counted the start

        s.handOverRunning(); // then the partition is revoked while the job still runs
        OffsetAndMetadata handedOver = s.finalCommitCandidate(LIMIT);

        assertThat(nextOwner(periodic, 2).get(0).previousStarts()).isEqualTo(1);
        assertThat(handedOver).as("the take-back must be committed").isNotNull();
        assertThat(nextOwner(handedOver, 2).get(0).previousStarts()).isZero();
    }

    @Test
    void aFinishedRecordDropsItsStartCount() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        startNext(s, NOW);
        PartitionState.Pending one = startNext(s, NOW);
        s.ended(one.seq(), true);

        assertThat(s.progress()).isEqualTo(new OffsetProgress.Builder(0).starts(0, 1).finished(1, 2).build());
    }

    @Test
    void knowledgeRestoredForRecordsNotFetchedYetIsCarriedIntoTheNextCommit() {
        OffsetProgress before = new OffsetProgress.Builder(0).starts(0, 1).finished(1, 1_000).starts(1_000, 2)
                .finished(1_001, 1_002).build();
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 10_000);
        s.restore(0, OffsetMetadataCodec.encode(before, LIMIT));
        for (long o = 0; o < 50; o++) {
            s.add(record(JOBS, o), 0); // only the first 50 fetched before the partition moves on again
        }
        startNext(s, NOW);

        OffsetAndMetadata commit = s.commitCandidate(LIMIT);

        assertThat(OffsetMetadataCodec.decode(commit.offset(), commit.metadata()).progress())
                .isEqualTo(new OffsetProgress.Builder(0).starts(0, 2).finished(1, 1_000).starts(1_000, 2)
                        .finished(1_001, 1_002).build());
    }

    @Test
    void garbageMetadataRestoresNothing() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.restore(0, "pq1:definitely not what we wrote");
        for (long o = 0; o < 5; o++) {
            assertThat(s.add(record(JOBS, o), 0)).isTrue();
        }
        assertThat(s.skippedFinished()).isZero();
        assertThat(s.nextReady(NOW).previousStarts()).isZero();
    }

    @Test
    void commitCandidateCarriesNewMetadataEvenWhenThePositionDidNotMove() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        startNext(s, NOW);
        OffsetAndMetadata first = s.commitCandidate(LIMIT);
        s.commitRequested(first);
        assertThat(s.commitCandidate(LIMIT)).as("nothing changed").isNull();

        PartitionState.Pending one = startNext(s, NOW);
        OffsetAndMetadata started = s.commitCandidate(LIMIT);
        assertThat(started.offset()).isZero();
        assertThat(started.metadata()).isNotEqualTo(first.metadata());
        s.commitRequested(started);
        s.commitSucceeded(started);

        s.ended(one.seq(), true);
        OffsetAndMetadata finished = s.commitCandidate(LIMIT);
        assertThat(finished.offset()).isZero();
        assertThat(finished.metadata()).isNotEqualTo(started.metadata());
        s.commitRequested(finished);
        s.commitFailed();
        assertThat(s.commitCandidate(LIMIT)).as("asked again after a failure").isEqualTo(finished);
    }

    @Test
    void finalCommitWritesMetadataTheCommittedOneLacksEvenIfAnAsyncCommitOfItIsInFlight() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        startNext(s, NOW);
        PartitionState.Pending one = startNext(s, NOW);
        OffsetAndMetadata committed = s.commitCandidate(LIMIT);
        s.commitRequested(committed);
        s.commitSucceeded(committed);
        s.ended(one.seq(), true);
        OffsetAndMetadata inFlight = s.commitCandidate(LIMIT);
        s.commitRequested(inFlight);

        assertThat(s.commitCandidate(LIMIT)).isNull();
        assertThat(s.finalCommitCandidate(LIMIT)).isEqualTo(inFlight);
        s.commitSucceeded(inFlight);
        assertThat(s.finalCommitCandidate(LIMIT)).isNull();
    }

    @Test
    void aSynchronousCommitIsNotSentAgainByThePeriodicOne() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);
        s.add(record(JOBS, 1), 0);
        PartitionState.Pending zero = startNext(s, NOW);
        s.commitRequested(s.commitCandidate(LIMIT)); // position 0, in flight
        s.ended(zero.seq(), true);
        startNext(s, NOW);

        s.commitSucceeded(s.finalCommitCandidate(LIMIT)); // position 1, synchronously

        assertThat(s.commitCandidate(LIMIT)).isNull();
        assertThat(s.commitCandidate()).isEqualTo(-1);
    }

    @Test
    void nothingToSayCommitsEmptyMetadata() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        assertThat(s.commitCandidate(LIMIT)).isNull();
        s.add(record(JOBS, 0), 0);
        s.ended(startNext(s, NOW).seq(), true);

        assertThat(s.commitCandidate(LIMIT)).isEqualTo(new OffsetAndMetadata(1, ""));
    }

    @Test
    void restoreAfterRecordsWereAddedIsAMistake() {
        PartitionState s = new PartitionState(JOBS, false, 5, 10, 1000);
        s.add(record(JOBS, 0), 0);

        assertThatThrownBy(() -> s.restore(0, "")).isInstanceOf(IllegalStateException.class);
    }
}
