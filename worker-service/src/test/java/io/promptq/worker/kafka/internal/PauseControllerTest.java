package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which partitions are paused and why, and what reaches the consumer. */
class PauseControllerTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);
    private static final long NOW = 1_000_000;

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final AtomicReference<PauseReason> gateReason = new AtomicReference<>();
    private final LoopCounters counters = new LoopCounters(10);
    private final PauseController pauses = new PauseController(consumer, gateReason::get, counters);
    private final PartitionState p0 = new PartitionState(P0, false, 1, 5, 1_000);
    private final PartitionState p1 = new PartitionState(P1, false, 1, 5, 1_000);
    private final List<PartitionState> both = List.of(p0, p1);

    PauseControllerTest() {
        consumer.assign(List.of(P0, P1));
    }

    private static PartitionState.Pending startOne(PartitionState s, long offset) {
        s.add(new ConsumerRecord<>(s.topic(), s.partition(), offset, new byte[0], new byte[0]), 0);
        PartitionState.Pending p = s.nextReady(NOW);
        s.started(p, Thread.currentThread());
        return p;
    }

    @Test
    void partitionWithAllPermitsTakenIsPausedAndResumedOnceOneFrees() {
        PartitionState.Pending running = startOne(p0, 0);

        pauses.update(both, false, false, NOW);
        assertThat(consumer.paused()).containsExactly(P0);
        assertThat(p0.pauseReason()).isEqualTo(PauseReason.PERMITS);
        assertThat(counters.paused(PauseReason.PERMITS)).isEqualTo(1);

        p0.ended(running.seq(), true);
        pauses.update(both, false, false, NOW);

        assertThat(consumer.paused()).isEmpty();
        assertThat(p0.pauseReason()).isNull();
        assertThat(counters.paused(PauseReason.PERMITS)).isZero();
    }

    @Test
    void closedIntakeGatePausesEveryPartitionUntilItOpens() {
        gateReason.set(PauseReason.BREAKER);
        pauses.update(both, false, false, NOW);
        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(counters.paused(PauseReason.BREAKER)).isEqualTo(2);

        gateReason.set(null);
        pauses.update(both, false, false, NOW);

        assertThat(consumer.paused()).isEmpty();
        assertThat(counters.paused(PauseReason.BREAKER)).isZero();
    }

    @Test
    void whileStoppingTheGateIsIgnoredAndDrainedPartitionsPauseForShutdown() {
        gateReason.set(PauseReason.BREAKER);
        p0.drain();
        p1.drain();

        pauses.update(both, false, true, NOW);

        assertThat(consumer.paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(counters.paused(PauseReason.SHUTDOWN)).isEqualTo(2);
        assertThat(counters.paused(PauseReason.BREAKER)).isZero();
    }

    @Test
    void onlyPartitionsWhosePauseChangedReachTheConsumer() {
        startOne(p0, 0);

        pauses.update(both, false, false, NOW);
        pauses.update(both, false, false, NOW);
        pauses.update(both, false, false, NOW);

        assertThat(consumer.pauseCalls).hasValue(1);
        assertThat(consumer.resumeCalls).hasValue(0);
    }

    @Test
    void aChangedReasonKeepsThePartitionPausedAndIsCountedUnderTheNewOne() {
        startOne(p0, 0);
        pauses.update(both, false, false, NOW);

        gateReason.set(PauseReason.BREAKER);
        pauses.update(both, false, false, NOW);

        assertThat(p0.pauseReason()).isEqualTo(PauseReason.BREAKER);
        assertThat(counters.paused(PauseReason.PERMITS)).isZero();
        assertThat(counters.paused(PauseReason.BREAKER)).isEqualTo(2);
        assertThat(consumer.pauseCalls).hasValue(2);
        assertThat(consumer.resumeCalls).hasValue(0);
    }
}
