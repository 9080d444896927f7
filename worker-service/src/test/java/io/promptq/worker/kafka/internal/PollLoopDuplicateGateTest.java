package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.worker.kafka.DuplicateGate;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.WorkerHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poll loop with a {@link DuplicateGate} (a scripted one), against {@code MockConsumer} and a recording
 * transactional producer: a duplicate is never started and its offset is committed, a first copy's ledger record
 * goes out with the partition's next transaction, a jobs partition is held until the gate is ready.
 */
class PollLoopDuplicateGateTest {

    private static final String JOBS = "jobs";
    private static final String RETRY = "jobs.retry.1";
    private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
    private static final TopicPartition R0 = new TopicPartition(RETRY, 0);

    private final PollLoopTest.TestConsumer consumer = new PollLoopTest.TestConsumer();
    private final RecordingProducer producer = new RecordingProducer(true);
    private final PollLoopTest.ControlledHandler handler = new PollLoopTest.ControlledHandler();
    private final ScriptedGate gate = new ScriptedGate();
    private PollLoop loop;

    @AfterEach
    void tearDown() throws InterruptedException {
        handler.releaseAll();
        if (loop != null) {
            loop.crash();
            assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
        }
    }

    private void start() {
        LoopSettings settings = TestLoopSettings.defaults().jobsTopic(JOBS).retryTopics(List.of(RETRY))
                .partitionConcurrency(10).maxInFlight(10).bufferPerPartition(50).commitInterval(Duration.ofMillis(20))
                .build();
        loop = new PollLoop(consumer, settings, handler, IntakeGate.OPEN, gate, FlowListener.NONE,
                Thread.ofVirtual().factory(), Clock.systemUTC(),
                r -> WorkerHeaders.millis(r.headers(), WorkerHeaders.DUE_AT).orElse(0), () -> producer);
        Thread.ofPlatform().name("test-poll").start(loop);
    }

    private void assign(TopicPartition... partitions) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            Map<TopicPartition, Long> beginning = new HashMap<>();
            for (TopicPartition tp : partitions) {
                beginning.put(tp, 0L);
            }
            consumer.updateBeginningOffsets(beginning);
            consumer.rebalance(List.of(partitions));
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private void add(TopicPartition tp, long from, long toExclusive) {
        for (long o = from; o < toExclusive; o++) {
            consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[] {1}, new byte[] {2}));
        }
    }

    private static ProducerRecord<byte[], byte[]> ledgerRecord(long offset) {
        return new ProducerRecord<>("ledger", 0, ("entry@" + offset).getBytes(StandardCharsets.UTF_8), new byte[] {9});
    }

    @Test
    void duplicateIsNeverStartedAndItsOffsetIsCommittedWithoutOutput() throws Exception {
        gate.decisions.put(1L, new DuplicateGate.Duplicate(0, false));
        gate.decisions.put(2L, new DuplicateGate.Duplicate(0, true));
        start();
        assign(P0);
        add(P0, 0, 4);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(producer.committedOffsets.get(P0))
                .isEqualTo(4));
        assertThat(handler.finished).containsExactlyInAnyOrder(P0 + "@0", P0 + "@3");
        assertThat(producer.visibleKeys()).containsExactlyInAnyOrder(P0 + "@0", P0 + "@3");
        assertThat(gate.asked).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void firstCopysLedgerRecordIsCommittedWithTheNextTransactionWhileItsJobStillRuns() throws Exception {
        gate.decisions.put(0L, new DuplicateGate.Run(ledgerRecord(0)));
        handler.block(P0, 0);
        start();
        assign(P0);
        add(P0, 0, 1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(producer.visibleKeys())
                .containsExactly("entry@0"));
        assertThat(handler.finished).isEmpty();
        assertThat(producer.committedOffsets.get(P0)).as("the running job's offset is not committed past")
                .isIn(null, 0L);

        handler.releaseAll();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(producer.committedOffsets.get(P0))
                .isEqualTo(1));
        assertThat(producer.visibleKeys()).containsExactly("entry@0", P0 + "@0");
    }

    @Test
    void jobsPartitionIsHeldWhileRestoringAndRetryPartitionsAreNeverHeld() throws Exception {
        gate.ready = false;
        start();
        assign(P0, R0);
        add(P0, 0, 3);
        add(R0, 0, 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(R0) == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(loop.paused(PauseReason.RESTORING)).isEqualTo(1));
        assertThat(handler.finishedOf(P0)).isZero();
        assertThat(gate.assigned).containsExactly(P0);
        assertThat(gate.asked).isEmpty();

        gate.ready = true;
        gate.onReady.run();

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 3);
        assertThat(loop.paused(PauseReason.RESTORING)).isZero();
        assertThat(gate.asked).containsExactly(0L, 1L, 2L);
    }

    @Test
    void revokedJobsPartitionIsForgottenByTheGate() throws Exception {
        start();
        assign(P0);
        add(P0, 0, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 1);

        assign(R0);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(gate.revoked).containsExactly(P0));
    }

    /** Answers per offset (RUN unless scripted); ready when told. Poll thread only, except the flags. */
    private static final class ScriptedGate implements DuplicateGate {
        final Map<Long, Admission> decisions = new ConcurrentHashMap<>();
        final List<Long> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
        volatile boolean ready = true;
        volatile @Nullable Runnable onReady;

        @Override
        public void assigned(TopicPartition partition, Runnable onReady) {
            assigned.add(partition);
            this.onReady = onReady;
        }

        @Override
        public boolean ready(TopicPartition partition) {
            return ready;
        }

        @Override
        public void revoked(TopicPartition partition) {
            revoked.add(partition);
        }

        @Override
        public Admission admit(ConsumerRecord<byte[], byte[]> record) {
            asked.add(record.offset());
            return decisions.getOrDefault(record.offset(), Admission.RUN);
        }
    }
}
