package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.retry.Backoff;
import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.RecordHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starting jobs within the permits, taking their completions back, and retrying a failing handler. */
class JobLauncherTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);
    private static final Duration LONG = Duration.ofSeconds(10);

    private final Map<String, CountDownLatch> blocked = new ConcurrentHashMap<>();
    private final AtomicInteger wakes = new AtomicInteger();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final Backoff recordingBackoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30))
            .fullJitter().random(() -> 0.5).sleeper(sleeps::add).build();

    @AfterEach
    void releaseAll() {
        blocked.values().forEach(CountDownLatch::countDown);
    }

    /** Completes at once unless the record's key was blocked. */
    private final RecordHandler blockingHandler = (record, abandoned) -> {
        CountDownLatch latch = blocked.get(key(record));
        if (latch != null) {
            latch.await();
        }
        return output(record);
    };

    /** One result record per job, keyed by its coordinates. */
    private static JobOutput output(ConsumerRecord<byte[], byte[]> r) {
        return JobOutput.of(List.of(new ProducerRecord<>("results", key(r).getBytes(StandardCharsets.UTF_8), new byte[] {1})));
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.topic() + "-" + r.partition() + "@" + r.offset();
    }

    private void block(TopicPartition tp, long offset) {
        blocked.put(tp + "@" + offset, new CountDownLatch(1));
    }

    private void release(TopicPartition tp, long offset) {
        blocked.get(tp + "@" + offset).countDown();
    }

    private JobLauncher launcher(int maxInFlight, RecordHandler handler, Backoff backoff) {
        return new JobLauncher(maxInFlight, handler, Thread.ofVirtual().factory(), backoff, wakes::incrementAndGet);
    }

    private static PartitionState partition(TopicPartition tp, int permits, int records) {
        PartitionState s = new PartitionState(tp, false, permits, 100, 1_000);
        for (int o = 0; o < records; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        return s;
    }

    @Test
    void startsNoMoreThanThePartitionPermitsAndTheWorkerCap() {
        for (long o = 0; o < 5; o++) {
            block(P0, o);
            block(P1, o);
        }
        JobLauncher launcher = launcher(3, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 2, 5);
        PartitionState p1 = partition(P1, 2, 5);

        launcher.launchReady(List.of(p0, p1), 0);

        assertThat(launcher.inFlight()).isEqualTo(3);
        assertThat(launcher.capReached()).isTrue();
        assertThat(p0.running()).isEqualTo(2);
        assertThat(p1.running()).isEqualTo(1);
    }

    @Test
    void eachLaunchStartsFromTheNextPartition() {
        for (long o = 0; o < 3; o++) {
            block(P0, o);
            block(P1, o);
        }
        JobLauncher launcher = launcher(1, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 1, 3);
        PartitionState p1 = partition(P1, 1, 3);
        List<PartitionState> both = List.of(p0, p1);

        launcher.launchReady(both, 0);
        assertThat(p0.running()).isEqualTo(1);
        release(P0, 0);
        launcher.awaitRunning(both, LONG);
        launcher.launchReady(both, 0);

        assertThat(p1.running()).isEqualTo(1);
        assertThat(p0.running()).isZero();
    }

    @Test
    void finishedJobIsAppliedOnThePollThreadAndWakesThePoll() {
        JobLauncher launcher = launcher(10, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 2);

        launcher.launchReady(List.of(p0), 0);
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(p0.running()).isZero();
        assertThat(launcher.inFlight()).isZero();
        assertThat(p0.commitPosition()).isEqualTo(2);
        await().atMost(LONG).until(() -> wakes.get() == 2);
    }

    @Test
    void finishedJobsOutputWaitsInItsPartitionForTheCommit() {
        JobLauncher launcher = launcher(10, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 2);

        launcher.launchReady(List.of(p0), 0);
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(p0.uncommittedOutputs()).extracting(JobCompletion::offset).containsExactlyInAnyOrder(0L, 1L);
        assertThat(p0.uncommittedOutputs()).allSatisfy(c -> assertThat(c.output().records()).singleElement()
                .satisfies(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(P0 + "@" + c.offset())));
    }

    @Test
    void handlerIsToldWhenItsPartitionIsAbandoned() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicBoolean sawAbandoned = new AtomicBoolean();
        RecordHandler watching = (record, context) -> {
            started.countDown();
            while (!context.abandoned()) {
                Thread.onSpinWait();
            }
            sawAbandoned.set(true);
            checked.countDown();
            assertThat(context.previousStarts()).isZero();
            return output(record);
        };
        JobLauncher launcher = launcher(10, watching, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);
        launcher.launchReady(List.of(p0), 0);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        p0.abandon();
        assertThat(checked.await(10, TimeUnit.SECONDS)).isTrue();
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(sawAbandoned).isTrue();
        assertThat(p0.uncommittedOutputs()).as("an abandoned job's output is dropped").isEmpty();
    }

    @Test
    void completionsWaitInTheQueueUntilThePollThreadAppliesThem() {
        JobLauncher launcher = launcher(10, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);

        launcher.launchReady(List.of(p0), 0);
        await().atMost(LONG).until(launcher::hasCompletions);

        assertThat(p0.running()).isEqualTo(1);
        launcher.applyCompletions();
        assertThat(p0.running()).isZero();
        assertThat(launcher.hasCompletions()).isFalse();
    }

    @Test
    void failingHandlerIsTriedAgainAfterAJitteredDoublingBackoffUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        RecordHandler failsTwice = (record, abandoned) -> {
            if (calls.incrementAndGet() <= 2) {
                throw new IllegalStateException("provider hiccup");
            }
            return JobOutput.none();
        };
        JobLauncher launcher = launcher(10, failsTwice, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);

        launcher.launchReady(List.of(p0), 0);
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(calls).hasValue(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1_000));
        assertThat(p0.commitPosition()).isEqualTo(1);
    }

    @Test
    void handlerBackoffStartsAtOneSecondDoublesToThirtyWithFullJitterAndNoBudget() {
        Backoff backoff = JobLauncher.HANDLER_BACKOFF;

        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(10)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.toBuilder().random(() -> 0.0).build().delay(3)).isZero();
        assertThat(backoff.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(backoff.maxElapsed()).isEmpty();
    }

    @Test
    void retryingStopsWhenThePartitionIsAbandonedDuringTheBackoff() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch backingOff = new CountDownLatch(1);
        Backoff sleepsUntilInterrupted = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .sleeper(d -> {
                    backingOff.countDown();
                    new CountDownLatch(1).await();
                }).build();
        RecordHandler alwaysFails = (record, abandoned) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("down");
        };
        JobLauncher launcher = launcher(10, alwaysFails, sleepsUntilInterrupted);
        PartitionState p0 = partition(P0, 10, 1);
        launcher.launchReady(List.of(p0), 0);
        assertThat(backingOff.await(10, TimeUnit.SECONDS)).isTrue();

        p0.abandon();
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(p0.running()).isZero();
        assertThat(calls).hasValue(1);
        assertThat(p0.commitPosition()).isZero();
    }

    @Test
    void aHandlerThrowingOnEveryCallIsRetriedWithTheBackoffUntilAbandonedAndItsRecordIsNotFinished()
            throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        List<Duration> waits = new CopyOnWriteArrayList<>();
        CountDownLatch fourthWait = new CountDownLatch(1);
        Backoff recordsThenBlocksOnTheFourthWait = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30))
                .fullJitter().random(() -> 0.5).sleeper(d -> {
                    waits.add(d);
                    if (waits.size() == 4) {
                        fourthWait.countDown();
                        new CountDownLatch(1).await(); // until the abandonment interrupts it
                    }
                }).build();
        RecordHandler alwaysFails = (record, context) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("broken before any side effect");
        };
        JobLauncher launcher = launcher(10, alwaysFails, recordsThenBlocksOnTheFourthWait);
        PartitionState p0 = partition(P0, 10, 1);
        launcher.launchReady(List.of(p0), 0);
        assertThat(fourthWait.await(10, TimeUnit.SECONDS)).isTrue();

        p0.abandon();
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(calls).as("one call per attempt, none after the abandonment").hasValue(4);
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofMillis(1_000), Duration.ofMillis(2_000),
                Duration.ofMillis(4_000));
        assertThat(p0.running()).isZero();
        assertThat(p0.commitPosition()).as("never finished without an output: the next owner gets it again").isZero();
        assertThat(p0.uncommittedOutputs()).isEmpty();
    }

    @Test
    void interruptedHandlerEndsUnfinishedWithoutRetrying() {
        AtomicInteger calls = new AtomicInteger();
        RecordHandler interrupted = (record, abandoned) -> {
            calls.incrementAndGet();
            throw new InterruptedException();
        };
        JobLauncher launcher = launcher(10, interrupted, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);

        launcher.launchReady(List.of(p0), 0);
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
        assertThat(p0.commitPosition()).isZero();
    }

    @Test
    void lateCompletionOfAnAbandonedPartitionIsNotMarkedFinished() {
        CountDownLatch release = new CountDownLatch(1);
        RecordHandler ignoresInterrupts = (record, abandoned) -> {
            while (true) {
                try {
                    release.await();
                    return output(record);
                } catch (InterruptedException e) {
                    // like a provider call that ignores interrupts
                }
            }
        };
        JobLauncher launcher = launcher(10, ignoresInterrupts, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);
        launcher.launchReady(List.of(p0), 0);

        p0.abandon();
        release.countDown();
        launcher.awaitRunning(List.of(p0), LONG);

        assertThat(p0.running()).isZero();
        assertThat(launcher.inFlight()).isZero();
        assertThat(p0.commitPosition()).isZero();
    }

    @Test
    void awaitRunningReturnsOnceTheWaitIsOverEvenIfJobsStillRun() {
        block(P0, 0);
        JobLauncher launcher = launcher(10, blockingHandler, recordingBackoff);
        PartitionState p0 = partition(P0, 10, 1);
        launcher.launchReady(List.of(p0), 0);

        launcher.awaitRunning(List.of(p0), Duration.ofMillis(20));

        assertThat(p0.running()).isEqualTo(1);
    }
}
