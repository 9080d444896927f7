package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.worker.kafka.PauseReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
}
