package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.testkit.MutableClock;
import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.JobContext;
import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.RecordHandler;
import io.promptq.worker.kafka.WorkerHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poll loop against Kafka's {@link MockConsumer} and {@link org.apache.kafka.clients.producer.MockProducer}:
 * permits, pauses, transactional commits of outputs with offsets, revocation, stop and crash - and, across
 * restarts, finished records skipped and start counts handed on.
 */
class PollLoopTest {

    private static final String JOBS = "jobs";
    private static final String RETRY = "jobs.retry.1";
    private static final TopicPartition P0 = new TopicPartition(JOBS, 0);
    private static final TopicPartition P1 = new TopicPartition(JOBS, 1);
    private static final TopicPartition P2 = new TopicPartition(JOBS, 2);
    private static final TopicPartition R0 = new TopicPartition(RETRY, 0);

    private final TestConsumer consumer = new TestConsumer();
    private final RecordingProducer producer = new RecordingProducer(true);
    private final ControlledHandler handler = new ControlledHandler();
    private PollLoop loop;

    @AfterEach
    void tearDown() throws InterruptedException {
        handler.releaseAll();
        if (loop != null) {
            loop.crash();
            assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
        }
    }

    private void start(int k, int cap, int buffer, IntakeGate gate, Clock clock, Duration revokeTimeout,
            Duration commitInterval) {
        LoopSettings settings = TestLoopSettings.defaults().jobsTopic(JOBS).retryTopics(List.of(RETRY))
                .partitionConcurrency(k).maxInFlight(cap).bufferPerPartition(buffer).commitInterval(commitInterval)
                .revokeTimeout(revokeTimeout).build();
        loop = new PollLoop(consumer, settings, handler, gate, FlowListener.NONE, Thread.ofVirtual().factory(), clock,
                r -> WorkerHeaders.millis(r.headers(), WorkerHeaders.DUE_AT).orElse(0), () -> producer);
        Thread.ofPlatform().name("test-poll").start(loop);
    }

    private void start(int k, int cap) {
        start(k, cap, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMillis(20));
    }

    /** Runs {@code task} on the poll thread (inside poll) and waits for it. */
    private void inPoll(Runnable task) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        consumer.schedulePollTask(() -> {
            task.run();
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }

    private void assign(TopicPartition... partitions) throws InterruptedException {
        inPoll(() -> {
            Map<TopicPartition, Long> beginning = new HashMap<>();
            for (TopicPartition tp : partitions) {
                beginning.put(tp, 0L);
            }
            consumer.updateBeginningOffsets(beginning);
            consumer.rebalance(List.of(partitions));
        });
    }

    private void add(TopicPartition tp, long from, long toExclusive) {
        for (long o = from; o < toExclusive; o++) {
            consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[] {1}, new byte[] {2}));
        }
    }

    private void addDue(TopicPartition tp, long offset, long dueAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WorkerHeaders.DUE_AT, WorkerHeaders.millis(dueAt));
        consumer.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, 0L, TimestampType.CREATE_TIME, 1, 1,
                new byte[] {1}, new byte[] {2}, headers, java.util.Optional.empty()));
    }

    /** The offset committed (with the outputs, in a transaction) for {@code tp}, or null. */
    private Long committed(TopicPartition tp) {
        return producer.committedOffsets.get(tp);
    }

    @Test
    void partitionNeverExceedsItsPermitsAndTheWorkerNeverExceedsItsCap() throws Exception {
        handler.sleepMillis = 5;
        start(2, 3);
        assign(P0, P1, P2);
        add(P0, 0, 30);
        add(P1, 0, 30);
        add(P2, 0, 30);

        await().atMost(Duration.ofSeconds(20)).until(() -> handler.finished.size() == 90);

        assertThat(handler.maxPerPartition.values()).allSatisfy(max -> assertThat(max).isLessThanOrEqualTo(2));
        assertThat(handler.maxTotal.get()).isLessThanOrEqualTo(3).isGreaterThanOrEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(committed(P0)).isEqualTo(30);
            assertThat(committed(P1)).isEqualTo(30);
            assertThat(committed(P2)).isEqualTo(30);
        });
    }

    @Test
    void saturatedPartitionIsPausedWhileOthersKeepFlowing() throws Exception {
        handler.block(P0, 0);
        handler.block(P0, 1);
        start(2, 10);
        assign(P0, P1);
        add(P0, 0, 5);
        add(P1, 0, 20);

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P1) == 20);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(consumer.pausedSafely()).contains(P0).doesNotContain(P1);
            assertThat(loop.paused(PauseReason.PERMITS)).isEqualTo(1);
        });
        assertThat(handler.finishedOf(P0)).isZero();

        handler.releaseAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 5);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(consumer.pausedSafely()).isEmpty());
    }

    @Test
    void commitsOnlyUpToTheLowestUnfinishedOffset() throws Exception {
        handler.block(P0, 2);
        start(10, 10);
        assign(P0);
        add(P0, 0, 5);

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 4);
        Thread.sleep(200); // several commit intervals
        assertThat(committed(P0)).isEqualTo(2);

        handler.releaseAll();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(committed(P0)).isEqualTo(5));
    }

    @Test
    void revokedPartitionCommitsOnlyFinishedOffsetsAndIgnoresLateCompletions() throws Exception {
        handler.blockUninterruptibly(P0, 1);
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofMillis(200), Duration.ofMinutes(1));
        assign(P0, P1);
        add(P0, 0, 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 3);

        assign(P1); // P0 revoked: waits 200 ms for offset 1, then commits 1 and abandons it

        assertThat(committed(P0)).isEqualTo(1);
        assertThat(loop.abandoned()).isEqualTo(1);
        handler.releaseAll();
        await().atMost(Duration.ofSeconds(5)).until(() -> handler.finishedOf(P0) == 4);
        assertThat(handler.sawAbandoned).contains(P0 + "@1");
        Thread.sleep(200);
        inPoll(() -> { });
        assertThat(committed(P0)).isEqualTo(1);
        assertThat(producer.visibleKeys()).as("the abandoned job's output is never written")
                .containsExactlyInAnyOrder(P0 + "@0", P0 + "@2", P0 + "@3");
    }

    @Test
    void finishedJobsOutputsBecomeVisibleOnlyWithTheCommitOfTheirOffsets() throws Exception {
        handler.block(P0, 2);
        start(10, 10);
        assign(P0);
        add(P0, 0, 4);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(committed(P0)).isEqualTo(2);
            assertThat(producer.visibleKeys()).contains(P0 + "@0", P0 + "@1", P0 + "@3");
        });
        assertThat(producer.visibleKeys()).doesNotContain(P0 + "@2");

        handler.releaseAll();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(committed(P0)).isEqualTo(4));
        assertThat(producer.visibleKeys()).containsExactlyInAnyOrder(P0 + "@0", P0 + "@1", P0 + "@2", P0 + "@3");
        assertThat(consumer.commits).as("offsets go through the transaction, not the consumer").isEmpty();
    }

    @Test
    void revocationWaitsForRunningJobsWithinTheBound() throws Exception {
        handler.block(P0, 0);
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(10), Duration.ofMinutes(1));
        assign(P0);
        add(P0, 0, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 2);

        Thread releaser = Thread.ofVirtual().start(() -> {
            sleep(300);
            handler.releaseAll();
        });
        assign();
        releaser.join();

        assertThat(committed(P0)).isEqualTo(3);
        assertThat(loop.abandoned()).isZero();
    }

    @Test
    void retryRecordIsNotStartedBeforeItIsDueWhileDueOnesOvertakeIt() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        long now = clock.millis();
        start(10, 10, 50, IntakeGate.OPEN, clock, Duration.ofSeconds(5), Duration.ofMillis(20));
        assign(R0);
        addDue(R0, 0, now + 5_000);
        addDue(R0, 1, now - 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(R0) == 1);
        assertThat(handler.finished).containsExactly(R0 + "@1");
        Thread.sleep(200);
        assertThat(handler.finishedOf(R0)).isEqualTo(1);
        assertThat(committed(R0)).isIn(null, 0L);

        clock.advance(Duration.ofMillis(5_000));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(R0) == 2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(committed(R0)).isEqualTo(2));
    }

    @Test
    void retryPartitionFullOfRecordsNotYetDueIsPausedUntilTheyAreDue() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
        long now = clock.millis();
        consumer.setMaxPollRecords(2);
        start(10, 10, 2, IntakeGate.OPEN, clock, Duration.ofSeconds(5), Duration.ofMillis(20));
        assign(R0, P0);
        addDue(R0, 0, now + 3_000);
        addDue(R0, 1, now + 3_000);
        addDue(R0, 2, now + 3_000);
        add(P0, 0, 5);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(loop.paused(PauseReason.RETRY_NOT_DUE)).isEqualTo(1);
            assertThat(consumer.pausedSafely()).contains(R0);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 5);
        assertThat(handler.finishedOf(R0)).isZero();

        clock.advance(Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(R0) == 3);
    }

    @Test
    void openBreakerPausesEveryPartitionUntilItCloses() throws Exception {
        AtomicBoolean open = new AtomicBoolean();
        start(10, 10, 50, () -> open.get() ? PauseReason.BREAKER : null, Clock.systemUTC(), Duration.ofSeconds(5),
                Duration.ofMillis(20));
        assign(P0, P1);

        open.set(true);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(consumer.pausedSafely()).containsExactlyInAnyOrder(P0, P1);
            assertThat(loop.paused(PauseReason.BREAKER)).isEqualTo(2);
        });
        add(P0, 0, 3);
        Thread.sleep(200);
        assertThat(handler.finished).isEmpty();

        open.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> handler.finishedOf(P0) == 3);
        assertThat(consumer.pausedSafely()).isEmpty();
    }

    @Test
    void gracefulStopWaitsForRunningJobsAndCommitsThem() throws Exception {
        handler.block(P0, 0);
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMinutes(1));
        assign(P0);
        add(P0, 0, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 1);

        loop.stop();
        Thread.sleep(200);
        assertThat(loop.running()).isTrue();
        handler.releaseAll();

        assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 2L));
        assertThat(producer.visibleKeys()).containsExactlyInAnyOrder(P0 + "@0", P0 + "@1");
        assertThat(loop.abandoned()).isZero();
        loop = null;
    }

    @Test
    void jobThrowingAnErrorStopsTheLoopWithThatCauseAfterCommittingWhatFinished() throws Exception {
        handler.errors.add(P0 + "@1");
        start(1, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMinutes(1));
        assign(P0);
        add(P0, 0, 3);

        assertThat(loop.awaitStopped(Duration.ofSeconds(10))).as("the loop stops instead of hanging").isTrue();

        assertThat(loop.failure()).isInstanceOf(OutOfMemoryError.class).hasMessage("test: " + P0 + "@1");
        assertThat(handler.errorCalls).as("an Error is not retried").hasValue(1);
        assertThat(producer.committedOffsets).as("what finished is committed").isEqualTo(Map.of(P0, 1L));
        assertThat(producer.visibleKeys()).containsExactly(P0 + "@0");
        loop = null;
    }

    @Test
    void commitRefusedForARebalanceShowsARebalanceInProgressUntilRecordsAreFetchedAgain() throws Exception {
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMillis(20));
        assign(P0);
        producer.failingCommits = 1;
        long before = System.currentTimeMillis();

        add(P0, 0, 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> loop.rebalanceSince() != 0);
        assertThat(loop.rebalanceSince()).isGreaterThanOrEqualTo(before);
        add(P0, 1, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> loop.rebalanceSince() == 0);
    }

    @Test
    void finalCommitRefusedDuringARebalanceAtStopIsRetriedUntilItLands() throws Exception {
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMinutes(1));
        assign(P0);
        add(P0, 0, 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 2);
        producer.failingCommits = 2;

        loop.stop();

        assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
        assertThat(producer.committedOffsets).isEqualTo(Map.of(P0, 2L));
        assertThat(producer.visibleKeys()).containsExactlyInAnyOrder(P0 + "@0", P0 + "@1");
        assertThat(loop.uncommittedAtStop()).isZero();
        assertThat(loop.commitFailures(CommitFailureReason.REBALANCE)).isEqualTo(2);
        loop = null;
    }

    @Test
    void stopThatCannotCommitBeforeTheGraceEndsCountsTheFinishedRecordsLeftUncommitted() throws Exception {
        LoopSettings settings = TestLoopSettings.defaults().jobsTopic(JOBS).retryTopics(List.of(RETRY))
                .commitInterval(Duration.ofMinutes(1)).shutdownGrace(Duration.ofMillis(500)).build();
        loop = new PollLoop(consumer, settings, handler, IntakeGate.OPEN, FlowListener.NONE,
                Thread.ofVirtual().factory(), Clock.systemUTC(), r -> 0L, () -> producer);
        Thread.ofPlatform().name("test-poll").start(loop);
        assign(P0);
        add(P0, 0, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 3);
        producer.failingCommits = Integer.MAX_VALUE;

        loop.stop();

        assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
        assertThat(producer.committedOffsets).isEmpty();
        assertThat(loop.uncommittedAtStop()).isEqualTo(3);
        assertThat(loop.commitFailures(CommitFailureReason.REBALANCE)).isGreaterThan(1);
        loop = null;
    }

    @Test
    void offsetThatMovesBackwardsResetsThePartitionsTrackingAndProcessingContinues() throws Exception {
        start(10, 10);
        assign(P0);
        add(P0, 0, 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(5).equals(committed(P0)));

        inPoll(() -> consumer.seek(P0, 2)); // the log was truncated to 2 (unclean leader election)
        add(P0, 2, 7);

        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(7).equals(committed(P0)));
        assertThat(loop.running()).isTrue();
        assertThat(loop.failure()).isNull();
        assertThat(handler.finishedOf(P0)).isEqualTo(10);
    }

    @Test
    void crashCommitsNothingAndAbandonsRunningJobs() throws Exception {
        handler.block(P0, 0);
        start(10, 10, 50, IntakeGate.OPEN, Clock.systemUTC(), Duration.ofSeconds(5), Duration.ofMinutes(1));
        assign(P0);
        add(P0, 0, 3);
        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 2);

        loop.crash();
        assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();

        assertThat(producer.committedOffsets).isEmpty();
        assertThat(producer.visible).isEmpty();
        assertThat(consumer.commits).isEmpty();
        loop = null;
    }

    @Test
    void recordThatFailsToDeserializeInPollIsHandedOnWithItsBytesAndSkipped() throws Exception {
        start(10, 10);
        assign(P0);
        inPoll(() -> consumer.setPollException(new RecordDeserializationException(
                RecordDeserializationException.DeserializationExceptionOrigin.VALUE, P0, 0, 0L, TimestampType.CREATE_TIME,
                ByteBuffer.wrap(new byte[] {7}), ByteBuffer.wrap(new byte[] {9, 9}), new RecordHeaders(), "bad", null)));
        add(P0, 1, 2);

        await().atMost(Duration.ofSeconds(10)).until(() -> handler.finishedOf(P0) == 2);
        assertThat(handler.values.get(P0 + "@0")).containsExactly(9, 9);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(committed(P0)).isEqualTo(2));
    }

    /**
     * A job whose call kills its worker, run by a chain of workers on one partition (each crashes while the job is
     * in its call; the next starts from what the previous one committed): each commit carries the job's start
     * count, each new owner hands it to the handler and skips the records finished meanwhile, and once the job was
     * started {@code maxCrashStarts} times it ends with one outcome and no further call. The handler stands in for
     * {@code JobRecordHandler}'s CRASH_LOOP rule (tested on its own); the loop's part is the counting.
     */
    @Test
    void jobThatKeepsKillingItsWorkerReachesItsHandlerWithGrowingStartCountsUntilItEndsWithoutAnotherCall()
            throws Exception {
        int maxCrashStarts = 2;
        Map<TopicPartition, OffsetAndMetadata> broker = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> providerCalls = new ConcurrentHashMap<>();
        CountDownLatch never = new CountDownLatch(1);
        RecordHandler crashLoopRule = (record, context) -> {
            String key = P0 + "@" + record.offset();
            if (context.previousStarts() >= maxCrashStarts) {
                return output("dlq", key + "-crash-loop");
            }
            providerCalls.computeIfAbsent(record.offset(), o -> new AtomicInteger()).incrementAndGet();
            if (record.offset() == 0) {
                never.await(); // the call that kills the worker
            }
            return output("results", key);
        };
        LoopSettings settings = TestLoopSettings.defaults().jobsTopic(JOBS).retryTopics(List.of(RETRY)).build();
        List<RecordingProducer> producers = new ArrayList<>();
        List<Long> skipped = new ArrayList<>();
        for (int incarnation = 0; incarnation <= maxCrashStarts; incarnation++) {
            TestConsumer worker = new TestConsumer(broker);
            RecordingProducer producer = new RecordingProducer(true, broker);
            producers.add(producer);
            loop = new PollLoop(worker, settings, crashLoopRule, IntakeGate.OPEN, FlowListener.NONE,
                    Thread.ofVirtual().factory(), Clock.systemUTC(), r -> 0L, () -> producer);
            Thread.ofPlatform().name("test-poll-" + incarnation).start(loop);
            OffsetAndMetadata committed = broker.get(P0);
            long from = committed == null ? 0 : committed.offset();
            CountDownLatch assigned = new CountDownLatch(1);
            worker.schedulePollTask(() -> {
                worker.updateBeginningOffsets(Map.of(P0, from)); // the new owner starts at the committed offset
                worker.rebalance(List.of(P0));
                assigned.countDown();
            });
            assertThat(assigned.await(10, TimeUnit.SECONDS)).isTrue();
            for (long o = from; o < 3; o++) {
                worker.addRecord(new ConsumerRecord<>(JOBS, 0, o, new byte[] {1}, new byte[] {2}));
            }
            if (incarnation == maxCrashStarts) {
                await().atMost(Duration.ofSeconds(10)).until(() -> broker.get(P0).offset() == 3);
            } else {
                int starts = incarnation + 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    OffsetAndMetadata c = broker.get(P0);
                    return c != null && CommitMetadata.starts(c).getOrDefault(0L, 0) == starts
                            && CommitMetadata.finished(c).equals(List.of(1L, 2L));
                });
            }
            skipped.add(loop.skippedFinished());
            loop.crash();
            assertThat(loop.awaitStopped(Duration.ofSeconds(10))).isTrue();
            loop = null;
        }

        assertThat(providerCalls.get(0L)).as("calls of the job that kills its worker").hasValue(maxCrashStarts);
        assertThat(providerCalls.get(1L)).as("finished records are not run again").hasValue(1);
        assertThat(providerCalls.get(2L)).hasValue(1);
        assertThat(skipped).containsExactly(0L, 2L, 2L);
        assertThat(producers.stream().flatMap(pr -> pr.visibleKeys().stream()))
                .containsExactlyInAnyOrder(P0 + "@1", P0 + "@2", P0 + "@0-crash-loop");
    }

    private static JobOutput output(String topic, String key) {
        return JobOutput.of(List.of(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), new byte[0])));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A MockConsumer whose poll sleeps briefly when there is nothing to return, like a real one. */
    static final class TestConsumer extends MockConsumer<byte[], byte[]> {

        /** The latest offset committed per partition, sync or async. */
        final Map<TopicPartition, Long> commits = new ConcurrentHashMap<>();
        /** The group's committed offsets that {@code committed} reads, or null for MockConsumer's own. */
        private final Map<TopicPartition, OffsetAndMetadata> groupOffsets;

        TestConsumer() {
            this(null);
        }

        /** @param groupOffsets the group's committed offsets on the "broker" (a transactional producer writes them) */
        TestConsumer(Map<TopicPartition, OffsetAndMetadata> groupOffsets) {
            super("earliest");
            this.groupOffsets = groupOffsets;
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions,
                Duration timeout) {
            if (groupOffsets == null) {
                return super.committed(partitions, timeout);
            }
            Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = groupOffsets.get(tp);
                if (o != null) {
                    result.put(tp, o);
                }
            }
            return result;
        }

        @Override
        public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
            if (records.isEmpty() && !timeout.isZero()) {
                sleep(Math.min(2, timeout.toMillis()));
            }
            return records;
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            super.commitSync(offsets, timeout);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            super.commitAsync(offsets, callback);
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
        }

        synchronized Set<TopicPartition> pausedSafely() {
            return Set.copyOf(paused());
        }
    }

    /** Records concurrency; completes records at once unless told to block them. */
    static final class ControlledHandler implements RecordHandler {

        volatile long sleepMillis;
        final Map<String, CountDownLatch> blocked = new ConcurrentHashMap<>();
        final Set<String> uninterruptible = ConcurrentHashMap.newKeySet();
        final Map<TopicPartition, AtomicInteger> current = new ConcurrentHashMap<>();
        final Map<TopicPartition, Integer> maxPerPartition = new ConcurrentHashMap<>();
        final AtomicInteger total = new AtomicInteger();
        final AtomicInteger maxTotal = new AtomicInteger();
        final Collection<String> finished = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final Set<String> sawAbandoned = ConcurrentHashMap.newKeySet();
        final Map<String, byte[]> values = new ConcurrentHashMap<>();
        /** Records whose handling throws an OutOfMemoryError, and how often any was called. */
        final Set<String> errors = ConcurrentHashMap.newKeySet();
        final AtomicInteger errorCalls = new AtomicInteger();

        void block(TopicPartition tp, long offset) {
            blocked.put(tp + "@" + offset, new CountDownLatch(1));
        }

        void blockUninterruptibly(TopicPartition tp, long offset) {
            block(tp, offset);
            uninterruptible.add(tp + "@" + offset);
        }

        void releaseAll() {
            blocked.values().forEach(CountDownLatch::countDown);
        }

        long finishedOf(TopicPartition tp) {
            return finished.stream().filter(k -> k.startsWith(tp + "@")).count();
        }

        @Override
        public JobOutput handle(ConsumerRecord<byte[], byte[]> record, JobContext context) throws InterruptedException {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            String key = tp + "@" + record.offset();
            int inPartition = current.computeIfAbsent(tp, t -> new AtomicInteger()).incrementAndGet();
            maxPerPartition.merge(tp, inPartition, Math::max);
            maxTotal.accumulateAndGet(total.incrementAndGet(), Math::max);
            try {
                values.put(key, record.value());
                if (errors.contains(key)) {
                    errorCalls.incrementAndGet();
                    throw new OutOfMemoryError("test: " + key);
                }
                CountDownLatch latch = blocked.get(key);
                if (latch != null) {
                    if (uninterruptible.contains(key)) {
                        while (true) {
                            try {
                                if (latch.await(10, TimeUnit.SECONDS)) {
                                    break;
                                }
                            } catch (InterruptedException e) {
                                // keep waiting, like a provider call that ignores interrupts
                            }
                        }
                    } else {
                        latch.await();
                    }
                } else if (sleepMillis > 0) {
                    Thread.sleep(sleepMillis);
                }
                if (context.abandoned()) {
                    sawAbandoned.add(key);
                }
                finished.add(key);
                return JobOutput.of(List.of(new ProducerRecord<>("results", key.getBytes(StandardCharsets.UTF_8),
                        new byte[] {3})));
            } finally {
                current.get(tp).decrementAndGet();
                total.decrementAndGet();
            }
        }
    }
}
