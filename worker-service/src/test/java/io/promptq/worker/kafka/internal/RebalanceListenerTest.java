package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.testkit.MutableClock;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.RecordHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Assignment (restoring what the previous owner's commit knew: finished records skipped, start counts handed on),
 * revocation (drain, await running, final transactional commit of outputs and offsets, abandon) and loss, called
 * as the consumer would.
 */
class RebalanceListenerTest {

    private static final TopicPartition P0 = new TopicPartition(TestLoopSettings.JOBS, 0);
    private static final TopicPartition P1 = new TopicPartition(TestLoopSettings.JOBS, 1);
    private static final TopicPartition R0 = new TopicPartition(TestLoopSettings.RETRY, 0);
    private static final Duration LONG = Duration.ofSeconds(10);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final RecordingProducer producer = new RecordingProducer(true);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final Map<String, CountDownLatch> blocked = new ConcurrentHashMap<>();
    /** Per started record ("topic-partition@offset"): the previous starts its context reported. */
    private final Map<String, Integer> previousStarts = new ConcurrentHashMap<>();
    private final RecordHandler handler = (record, context) -> {
        previousStarts.put(record.topic() + "-" + record.partition() + "@" + record.offset(), context.previousStarts());
        CountDownLatch latch = blocked.get(record.topic() + "-" + record.partition() + "@" + record.offset());
        if (latch != null) {
            latch.await();
        }
        String key = record.topic() + "-" + record.partition() + "@" + record.offset();
        return JobOutput.of(List.of(new ProducerRecord<>("results", key.getBytes(StandardCharsets.UTF_8), new byte[0])));
    };
    private final AtomicBoolean crashed = new AtomicBoolean();
    private final RecordingFlow flow = new RecordingFlow();
    private final AssignedPartitions partitions = new AssignedPartitions();
    private final LoopCounters counters = new LoopCounters(10, clock);
    private JobLauncher launcher;
    private PollWaker waker;
    private RebalanceListener listener;

    @AfterEach
    void releaseAll() {
        blocked.values().forEach(CountDownLatch::countDown);
    }

    private void create(Duration revokeTimeout) {
        create(revokeTimeout, OffsetMetadataCodec.DEFAULT_MAX_CHARS);
    }

    private void create(Duration revokeTimeout, int offsetMetadataMaxChars) {
        LoopSettings settings = TestLoopSettings.defaults().revokeTimeout(revokeTimeout)
                .offsetMetadataMaxChars(offsetMetadataMaxChars).build();
        launcher = new JobLauncher(settings.maxInFlight(), handler, Thread.ofVirtual().factory(),
                JobLauncher.HANDLER_BACKOFF, () -> waker.wake());
        waker = new PollWaker(consumer, launcher::hasCompletions);
        OutcomeCommitter committer = OutcomeCommitter.create(settings, consumer, waker, () -> producer,
                () -> System.nanoTime() / 1_000_000, counters);
        committer.start();
        listener = new RebalanceListener(consumer, settings, partitions, launcher, committer, waker, counters, flow, clock,
                crashed::get);
    }

    private void block(TopicPartition tp, long offset) {
        blocked.put(tp + "@" + offset, new CountDownLatch(1));
    }

    private void release(TopicPartition tp, long offset) {
        blocked.get(tp + "@" + offset).countDown();
    }

    /** Buffers offsets 0..count-1 of {@code tp}, starts them all, and applies the completions until {@code running} run. */
    private PartitionState startRecords(TopicPartition tp, int count, int running) {
        PartitionState s = partitions.get(tp);
        for (int o = 0; o < count; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        launcher.launchReady(partitions.all(), 0);
        await().atMost(LONG).pollInSameThread().until(() -> {
            launcher.applyCompletions();
            return s.running() == running;
        });
        return s;
    }

    @Test
    void revocationMarksARebalanceInProgressUntilTheNextAssignmentEvenAnEmptyOne() {
        create(LONG);
        listener.onPartitionsAssigned(List.of(P0, P1));
        assertThat(counters.rebalanceSince()).isZero();
        long revokedAt = clock.millis();

        listener.onPartitionsRevoked(List.of(P1));
        clock.advance(Duration.ofSeconds(40));

        assertThat(counters.rebalanceSince()).isEqualTo(revokedAt);
        assertThat(counters.rebalanceSeconds(clock.millis())).isEqualTo(40.0);
        listener.onPartitionsAssigned(List.of());
        assertThat(counters.rebalanceSince()).isZero();
        assertThat(counters.rebalanceSeconds(clock.millis())).isZero();
    }

    @Test
    void lostPartitionsMarkARebalanceInProgress() {
        create(LONG);
        listener.onPartitionsAssigned(List.of(P0));
        long lostAt = clock.millis();

        listener.onPartitionsLost(List.of(P0));

        assertThat(counters.rebalanceSince()).isEqualTo(lostAt);
    }

    @Test
    void assignedPartitionsGetAFreshStateAndAreReported() {
        create(LONG);

        listener.onPartitionsAssigned(List.of(P0, R0));

        assertThat(partitions.get(P0).retryTier()).isFalse();
        assertThat(partitions.get(R0).retryTier()).isTrue();
        assertThat(counters.assignedPartitions()).isEqualTo(2);
        assertThat(flow.assigned).containsExactly(P0, R0);
    }

    @Test
    void partitionAssignedAgainWhileOwnedKeepsItsState() {
        create(LONG);
        listener.onPartitionsAssigned(List.of(P0));
        PartitionState before = partitions.get(P0);

        listener.onPartitionsAssigned(List.of(P0));

        assertThat(partitions.get(P0)).isSameAs(before);
        assertThat(flow.assigned).containsExactly(P0);
    }

    @Test
    void partitionsAssignedWhileStoppingStartDrained() {
        create(LONG);
        listener.stopping(clock.millis() + 5_000);

        listener.onPartitionsAssigned(List.of(P0));

        assertThat(partitions.get(P0).canStart()).isFalse();
    }

    @Test
    void revokedPartitionCommitsOnlyCompletedOffsets() {
        create(Duration.ofMillis(50));
        block(P0, 1);
        listener.onPartitionsAssigned(List.of(P0, P1));
        PartitionState s = startRecords(P0, 4, 1);

        listener.onPartitionsRevoked(List.of(P0));

        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 1L));
        assertThat(producer.visibleKeys()).as("finished jobs' outputs, never the abandoned one's")
                .containsExactlyInAnyOrder(P0 + "@0", P0 + "@2", P0 + "@3");
        assertThat(s.abandoned()).isTrue();
        assertThat(partitions.contains(P0)).isFalse();
        assertThat(partitions.contains(P1)).isTrue();
        assertThat(counters.abandoned()).isEqualTo(1);
        assertThat(flow.abandoned).containsExactly(1);
        assertThat(flow.revoked).containsExactly(P0);
    }

    @Test
    void revocationWaitsForRunningJobsBeforeItCommits() throws InterruptedException {
        create(LONG);
        block(P0, 1);
        listener.onPartitionsAssigned(List.of(P0));
        startRecords(P0, 3, 1);
        Thread releaser = Thread.ofVirtual().start(() -> {
            sleep(200);
            release(P0, 1);
        });

        listener.onPartitionsRevoked(List.of(P0));
        releaser.join();

        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 3L));
        assertThat(counters.abandoned()).isZero();
        assertThat(flow.abandoned).isEmpty();
    }

    @Test
    void jobsFinishingDuringARevocationInsidePollDoNotWakeTheConsumerMidCommit() throws InterruptedException {
        create(LONG);
        block(P0, 0);
        listener.onPartitionsAssigned(List.of(P0));
        startRecords(P0, 1, 1);
        Thread releaser = Thread.ofVirtual().start(() -> {
            sleep(200);
            release(P0, 0);
        });

        waker.armForPoll(); // the callback runs inside poll
        listener.onPartitionsRevoked(List.of(P0));
        releaser.join();

        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 1L));
        // The callback re-armed the poll on exit. The finished job's own wake may still land after that (its thread
        // reports, then wakes): then it takes that one arming - harmless, the poll returns. A wake inside the
        // callback would have been a second one: exactly one of "still armed" and "one wakeup" holds.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> consumer.wakeups.get() + (waker.armed() ? 1 : 0) == 1);
        assertThat(consumer.wakeups.get()).isLessThanOrEqualTo(1);
    }

    @Test
    void revocationWhileStoppingWaitsOnlyUntilTheShutdownDeadline() {
        create(LONG);
        block(P0, 1);
        listener.onPartitionsAssigned(List.of(P0));
        startRecords(P0, 3, 1);
        listener.stopping(clock.millis() - 1);

        listener.onPartitionsRevoked(List.of(P0));

        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 1L));
        assertThat(counters.abandoned()).isEqualTo(1);
    }

    @Test
    void lostPartitionIsAbandonedWithoutWaitingOrCommitting() {
        create(LONG);
        block(P0, 1);
        listener.onPartitionsAssigned(List.of(P0));
        PartitionState s = startRecords(P0, 3, 1);
        assertThat(s.uncommittedOutputs()).hasSize(2);

        listener.onPartitionsLost(List.of(P0));

        assertThat(producer.transactions).hasValue(0);
        assertThat(s.uncommittedOutputs()).as("outputs of a lost partition are dropped").isEmpty();
        assertThat(s.abandoned()).isTrue();
        assertThat(partitions.contains(P0)).isFalse();
        assertThat(counters.abandoned()).isEqualTo(1);
        assertThat(flow.revoked).containsExactly(P0);
    }

    @Test
    void afterACrashRevocationAndLossDoNothing() {
        create(LONG);
        listener.onPartitionsAssigned(List.of(P0, P1));
        startRecords(P0, 2, 0);
        crashed.set(true);

        listener.onPartitionsRevoked(List.of(P0));
        listener.onPartitionsLost(List.of(P1));

        assertThat(producer.transactions).hasValue(0);
        assertThat(partitions.contains(P0)).isTrue();
        assertThat(partitions.contains(P1)).isTrue();
    }

    @Test
    void failingFlowListenerNeverBreaksARebalance() {
        flow.fail = true;
        create(LONG);

        listener.onPartitionsAssigned(List.of(P0));
        startRecords(P0, 2, 0);
        listener.onPartitionsRevoked(List.of(P0));

        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 2L));
        assertThat(partitions.contains(P0)).isFalse();
    }

    /** What a previous owner committed at {@code position}: {@code finished} ranges as [from, to) pairs, starts. */
    private static OffsetAndMetadata committedWith(long position, long[] finished, long startedOffset, int starts) {
        OffsetProgress.Builder progress = new OffsetProgress.Builder(position);
        progress.starts(startedOffset, starts);
        for (int i = 0; i < finished.length; i += 2) {
            progress.finished(finished[i], finished[i + 1]);
        }
        return new OffsetAndMetadata(position,
                OffsetMetadataCodec.encode(progress.build(), OffsetMetadataCodec.DEFAULT_MAX_CHARS));
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
        return new ConsumerRecord<>(tp.topic(), tp.partition(), offset, new byte[0], new byte[0]);
    }

    @Test
    void partitionAssignedWithCommittedMetadataSkipsFinishedRecordsAndHandsOnStartCounts() {
        create(LONG);
        // The previous owner committed 2: record 2 was started twice without an outcome, 3 and 4 are finished.
        consumer.groupOffsets.put(P0, committedWith(2, new long[] {3, 5}, 2, 2));

        listener.onPartitionsAssigned(List.of(P0, P1));
        PartitionState s = partitions.get(P0);
        List<Boolean> added = List.of(s.add(record(P0, 2), 0), s.add(record(P0, 3), 0), s.add(record(P0, 4), 0),
                s.add(record(P0, 5), 0));
        launcher.launchReady(partitions.all(), 0);
        await().atMost(LONG).pollInSameThread().until(() -> {
            launcher.applyCompletions();
            return s.running() == 0 && previousStarts.size() == 2;
        });

        assertThat(added).containsExactly(true, false, false, true);
        assertThat(s.skippedFinished()).isEqualTo(2);
        assertThat(previousStarts).as("started records and their previous starts; 3 and 4 never started")
                .isEqualTo(Map.of(P0 + "@2", 2, P0 + "@5", 0));
        listener.onPartitionsRevoked(List.of(P0));
        assertThat(producer.committedOffsets).as("skipped records count as finished").isEqualTo(Map.of(P0, 6L));
        assertThat(producer.visibleKeys()).containsExactlyInAnyOrder(P0 + "@2", P0 + "@5");
    }

    @Test
    void recordsAboveWhatTheMetadataKnowsRunAsUsual() {
        create(LONG);
        consumer.groupOffsets.put(P0, committedWith(0, new long[] {1, 2}, 0, 1));

        listener.onPartitionsAssigned(List.of(P0));
        PartitionState s = partitions.get(P0);

        assertThat(List.of(s.add(record(P0, 0), 0), s.add(record(P0, 1), 0), s.add(record(P0, 2), 0),
                s.add(record(P0, 3), 0))).containsExactly(true, false, true, true);
    }

    @Test
    void offsetMetadataTurnedOffReadsNoCommittedOffsetsAndRunsEveryRecord() {
        create(LONG, 0);
        consumer.groupOffsets.put(P0, committedWith(2, new long[] {3, 5}, 2, 2));

        listener.onPartitionsAssigned(List.of(P0));
        PartitionState s = partitions.get(P0);

        assertThat(consumer.committedCalls).hasValue(0);
        assertThat(List.of(s.add(record(P0, 2), 0), s.add(record(P0, 3), 0))).containsExactly(true, true);
        assertThat(s.skippedFinished()).isZero();
    }

    @Test
    void partitionWhoseCommittedOffsetsCannotBeReadYetIsHeldUntilTheyCanAndThenSkipsFinishedRecords() {
        create(LONG);
        consumer.groupOffsets.put(P0, committedWith(2, new long[] {3, 5}, 2, 2));
        consumer.committedFailure = new TimeoutException("pending transactional offsets of a killed owner");

        listener.onPartitionsAssigned(List.of(P0));

        PartitionState s = partitions.get(P0);
        assertThat(partitions.contains(P0)).isTrue();
        assertThat(flow.assigned).containsExactly(P0);
        assertThat(s.committedOffsetsPending()).isTrue();
        assertThat(s.hasRoom()).as("nothing is buffered while held").isFalse();
        assertThat(s.canStart()).isFalse();
        assertThat(s.evaluate(null, false, false, 0)).isEqualTo(PauseReason.RESTORING);

        int calls = consumer.committedCalls.get();
        listener.retryPendingRestores(); // still failing: stays held
        assertThat(consumer.committedCalls).hasValue(calls + 1);
        assertThat(s.committedOffsetsPending()).isTrue();
        listener.retryPendingRestores();
        assertThat(consumer.committedCalls).as("not read again before the backoff").hasValue(calls + 1);

        consumer.committedFailure = null;
        clock.advance(RebalanceListener.PENDING_RETRY);
        listener.retryPendingRestores();
        assertThat(s.committedOffsetsPending()).isFalse();

        assertThat(s.hasRoom()).isTrue();
        assertThat(List.of(s.add(record(P0, 2), 0), s.add(record(P0, 3), 0))).as("offset 3 was finished before")
                .containsExactly(true, false);
    }

    @Test
    void heldPartitionRevokedBeforeItsOffsetsCouldBeReadIsForgotten() {
        create(LONG);
        consumer.committedFailure = new TimeoutException("coordinator unavailable");
        listener.onPartitionsAssigned(List.of(P0));
        int calls = consumer.committedCalls.get();

        listener.onPartitionsRevoked(List.of(P0));
        consumer.committedFailure = null;
        listener.retryPendingRestores();

        assertThat(consumer.committedCalls).as("nothing read for a partition no longer owned").hasValue(calls);
    }

    @Test
    void onlyNewlyAssignedPartitionsAreRestoredAndInOneCall() {
        create(LONG);
        listener.onPartitionsAssigned(List.of(P0));
        consumer.committedCalls.set(0);

        listener.onPartitionsAssigned(List.of(P0, P1, R0));

        assertThat(consumer.committedCalls).hasValue(1);
    }

    @Test
    void jobFinishingWhileAnAssignmentReadsCommittedOffsetsDoesNotWakeTheConsumerMidCall() {
        create(LONG);
        consumer.duringCommitted = () -> waker.wake(); // a job thread reports its completion meanwhile

        waker.armForPoll(); // the callback runs inside poll
        listener.onPartitionsAssigned(List.of(P0));

        assertThat(consumer.wakeups).hasValue(0);
        assertThat(waker.armed()).as("armed again for the rest of the poll").isTrue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records what the flow listener is told; throws after recording if {@code fail}. */
    static final class RecordingFlow implements FlowListener {

        final List<TopicPartition> assigned = new CopyOnWriteArrayList<>();
        final List<TopicPartition> revoked = new CopyOnWriteArrayList<>();
        final List<Integer> abandoned = new CopyOnWriteArrayList<>();
        volatile boolean fail;

        @Override
        public void assigned(PartitionView partition) {
            assigned.add(new TopicPartition(partition.topic(), partition.partition()));
            failIfAsked();
        }

        @Override
        public void revoked(PartitionView partition) {
            revoked.add(new TopicPartition(partition.topic(), partition.partition()));
            failIfAsked();
        }

        @Override
        public void abandoned(int count) {
            abandoned.add(count);
            failIfAsked();
        }

        private void failIfAsked() {
            if (fail) {
                throw new IllegalStateException("listener broke");
            }
        }
    }
}
