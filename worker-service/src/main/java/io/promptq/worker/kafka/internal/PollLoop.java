package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.DuplicateGate;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.RecordHandler;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the worker's {@link Consumer}: its lifecycle and its turns. Each turn it
 * <ol>
 *   <li>applies the completions job threads reported ({@link JobLauncher}: releasing permits, marking offsets
 *       finished, keeping each job's output until it is committed),</li>
 *   <li>starts buffered records on virtual threads while partition permits (K) and worker permits allow,
 *       round-robin over partitions ({@link JobLauncher}),</li>
 *   <li>pauses and resumes partitions ({@link PauseController}: permits taken, worker cap, breaker, retry records
 *       not due, ...),</li>
 *   <li>every commit interval, writes the finished jobs' outputs and commits the offsets, per partition up to the
 *       lowest unfinished one - in one Kafka transaction by default ({@link OutcomeCommitter}),</li>
 *   <li>polls - for at most the poll timeout, less if a retry record falls due or a commit is due sooner; a
 *       finishing job wakes the poll up at once ({@link PollWaker}) - and buffers what it returns.</li>
 * </ol>
 * Before a jobs-topic record starts, the {@link DuplicateGate} decides whether it is a later copy of a job
 * already accepted (same idempotency key): then it is finished without starting ({@link DuplicateFilter}); a newly
 * assigned jobs partition is held ({@link PauseReason#RESTORING}) until the gate has restored its state.
 * Business logic never runs here: records go to the {@link RecordHandler} on virtual threads, which report back
 * through a queue with their outputs. A job's outcome becomes visible only with the commit that covers its
 * offset. Everything that touches the consumer or the outcome producer runs on this thread; wakeups follow the
 * protocol described in {@link PollWaker}.
 *
 * <p><b>Revocation</b> (cooperative or KIP-848 incremental, see {@link RebalanceListener}): the partition stops
 * starting records and drops its buffer, the loop waits up to the revoke timeout for its running jobs, commits
 * what is finished (outputs with offsets), and abandons the rest: their threads are interrupted, their outputs and
 * late completions are dropped - the records are redelivered to the new owner from the committed offset. A lost
 * partition is abandoned without waiting or committing.
 *
 * <p><b>Stop</b>: intake stops, running jobs get the shutdown grace, finished offsets are committed
 * with their outputs, the consumer leaves the group. <b>Crash</b> ({@link #crash()}, for tests): the thread stops
 * at once without committing anything and closes the consumer and the producer, as a killed process would leave
 * them.
 */
public final class PollLoop implements Runnable, FlowStats {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);

    private final Consumer<byte[], byte[]> consumer;
    private final LoopSettings settings;
    private final Clock clock;
    private final ToLongFunction<ConsumerRecord<byte[], byte[]>> dueTime;
    private final AssignedPartitions partitions = new AssignedPartitions();
    private final LoopCounters counters;
    private final PollWaker waker;
    private final JobLauncher launcher;
    private final PauseController pauses;
    private final OutcomeCommitter committer;
    private final RebalanceListener rebalance;
    private final DuplicateFilter duplicates;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean stopRequested;
    private volatile boolean crashRequested;
    private boolean stopping;

    /**
     * @param consumer a consumer of raw bytes, used only by the thread that runs this loop
     * @param dueTime the due time (epoch millis) of a retry-tier record, read on the poll thread
     * @param jobThreads creates the thread of each job (virtual threads)
     * @param producers creates the producer of the jobs' outputs - transactional if {@link
     *     LoopSettings#transactions()}, else idempotent - used only by the thread that runs this loop, and created
     *     anew after a fatal producer error
     */
    public PollLoop(Consumer<byte[], byte[]> consumer, LoopSettings settings, RecordHandler handler, IntakeGate gate,
            FlowListener listener, ThreadFactory jobThreads, Clock clock,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> dueTime,
            Supplier<? extends Producer<byte[], byte[]>> producers) {
        this(consumer, settings, handler, gate, DuplicateGate.NONE, listener, jobThreads, clock, dueTime, producers);
    }

    /**
     * The loop with a duplicate gate.
     *
     * @param duplicates asked before each jobs-topic record starts whether it is a later copy of an accepted job
     *     (then it is finished without starting); its ledger records are written with the partition's next commit
     */
    public PollLoop(Consumer<byte[], byte[]> consumer, LoopSettings settings, RecordHandler handler, IntakeGate gate,
            DuplicateGate duplicates, FlowListener listener, ThreadFactory jobThreads, Clock clock,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> dueTime,
            Supplier<? extends Producer<byte[], byte[]>> producers) {
        this.consumer = consumer;
        this.settings = settings;
        this.clock = clock;
        this.dueTime = dueTime;
        this.counters = new LoopCounters(settings.maxInFlight(), clock);
        this.waker = new PollWaker(consumer, this::workPending);
        this.duplicates = new DuplicateFilter(duplicates, settings.jobsTopic(), waker::wake);
        this.launcher = new JobLauncher(settings.maxInFlight(), handler, jobThreads, JobLauncher.HANDLER_BACKOFF,
                waker::wake, this.duplicates);
        this.committer = OutcomeCommitter.create(settings, consumer, waker, producers, PollLoop::monotonicMillis,
                counters);
        this.pauses = new PauseController(consumer, publishing(gate, committer), counters);
        this.rebalance = new RebalanceListener(consumer, settings, partitions, launcher, committer, waker, counters, listener,
                clock, () -> crashRequested, this.duplicates);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void run() {
        counters.running(true);
        List<String> topics = new ArrayList<>();
        topics.add(settings.jobsTopic());
        topics.addAll(settings.retryTopics());
        try {
            committer.start();
            consumer.subscribe(topics, rebalance);
            while (!stopRequested && !crashRequested && launcher.jobError() == null) {
                turn();
            }
            Error jobError = launcher.jobError();
            if (jobError != null) {
                stopAfterJobError(jobError);
            } else if (!crashRequested) {
                drainForShutdown();
            }
        } catch (Throwable t) {
            counters.failed(t);
            log.error("Poll loop failed; the worker stops consuming (uncommitted jobs will be redelivered)", t);
        } finally {
            closeConsumer();
            committer.close(crashRequested);
            counters.running(false);
            stopped.countDown();
        }
    }

    /** Asks the loop to stop gracefully (see the class comment); returns at once. */
    public void stop() {
        stopRequested = true;
        waker.wake();
    }

    /** Stops the loop like a crash: no waiting for jobs, no commit. Returns at once. */
    public void crash() {
        crashRequested = true;
        waker.wake();
    }

    /** Waits until the loop's thread has finished. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ one turn

    private void turn() {
        long now = clock.millis();
        launcher.applyCompletions();
        rebalance.retryPendingRestores();
        duplicates.releaseRestored();
        launcher.launchReady(partitions.all(), now);
        refreshCounters();
        pauses.update(partitions.all(), launcher.capReached(), stopping, now);
        committer.commitIfDue(partitions.all());
        accept(poll(pollTimeout(now)));
    }

    /** {@code gate}, closed as well while the committer reports a publish fault of the system. */
    private static IntakeGate publishing(IntakeGate gate, OutcomeCommitter committer) {
        return new IntakeGate() {
            @Override
            public @Nullable PauseReason blocked() {
                return committer.publishFault() != null ? PauseReason.PUBLISH_FAILING : gate.blocked();
            }

            @Override
            public boolean throttled() {
                return gate.throttled();
            }
        };
    }

    /** Intervals (commits) run on a monotonic clock; due times and deadlines on the injected wall clock. */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /**
     * Read by {@link PollWaker} after arming: completions to apply, a partition's idempotency state restored, or a
     * stop or crash to act on. While draining
     * for shutdown a stop no longer counts, so the loop polls with its normal timeout (completions still wake it)
     * instead of spinning on the CPU the finishing jobs need.
     */
    private boolean workPending() {
        return launcher.hasCompletions() || duplicates.readyPending() || (stopRequested && !stopping)
                || crashRequested || launcher.jobError() != null;
    }

    private ConsumerRecords<byte[], byte[]> poll(long timeoutMs) {
        if (waker.armForPoll()) {
            timeoutMs = 0;
        }
        try {
            return consumer.poll(Duration.ofMillis(timeoutMs));
        } catch (WakeupException e) {
            return ConsumerRecords.empty();
        } catch (RecordDeserializationException e) {
            // Not expected with byte-array deserializers, but never let one record stop the partition.
            bufferUndecodable(e);
            return ConsumerRecords.empty();
        } finally {
            waker.disarmAfterPoll();
            counters.polledAt(clock.millis());
        }
    }

    private long pollTimeout(long now) {
        long timeout = Math.min(settings.pollTimeout().toMillis(), committer.millisUntilDue());
        long due = partitions.nextDueAt(now);
        if (due != Long.MAX_VALUE) {
            timeout = Math.min(timeout, due - now);
        }
        return Math.max(0, timeout);
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        counters.countFetched(records.count());
        counters.rebalanceEnded();
        for (TopicPartition tp : records.partitions()) {
            PartitionState s = partitions.get(tp);
            if (s == null) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> list = records.records(tp);
            for (int i = 0; i < list.size(); i++) {
                ConsumerRecord<byte[], byte[]> r = list.get(i);
                if (!s.hasRoom()) {
                    // Keep the buffer bounded: fetch the rest again once there is room.
                    consumer.seek(tp, r.offset());
                    break;
                }
                if (!s.add(r, s.retryTier() ? dueTime.applyAsLong(r) : 0L)) {
                    counters.countSkippedFinished(1);
                }
            }
        }
        refreshCounters();
    }

    private void bufferUndecodable(RecordDeserializationException e) {
        TopicPartition tp = e.topicPartition();
        PartitionState s = partitions.get(tp);
        log.warn("Undecodable record {}@{}: {}", tp, e.offset(), e.getMessage());
        if (s == null || !s.hasRoom()) {
            return;
        }
        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>(tp.topic(), tp.partition(), e.offset(), e.timestamp(),
                e.timestampType(), -1, -1, bytes(e.keyBuffer()), bytes(e.valueBuffer()), e.headers(), Optional.empty());
        if (!s.add(raw, 0L)) {
            counters.countSkippedFinished(1);
        }
        consumer.seek(tp, e.offset() + 1);
    }

    private static byte @Nullable [] bytes(@Nullable ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private void refreshCounters() {
        counters.refresh(launcher.inFlight(), partitions);
    }

    // ------------------------------------------------------------------ shutdown

    private void drainForShutdown() {
        long deadline = clock.millis() + settings.shutdownGrace().toMillis();
        stopping = true;
        rebalance.stopping(deadline);
        for (PartitionState s : partitions.all()) {
            s.drain();
        }
        log.info("Stopping: intake paused, waiting up to {} for {} running jobs", settings.shutdownGrace(),
                partitions.runningJobs());
        while (partitions.runningJobs() > 0 && !crashRequested) {
            long now = clock.millis();
            if (now >= deadline) {
                break;
            }
            launcher.applyCompletions();
            pauses.update(partitions.all(), launcher.capReached(), stopping, now);
            committer.commitIfDue(partitions.all());
            accept(poll(Math.min(settings.pollTimeout().toMillis(), deadline - now)));
        }
        launcher.applyCompletions();
        if (crashRequested) {
            return;
        }
        partitions.all().forEach(PartitionState::handOverRunning);
        commitFinalUntil(deadline);
        int abandoned = partitions.runningJobs();
        if (abandoned > 0) {
            counters.countAbandoned(abandoned);
            log.warn("Shutdown grace {} over: abandoning {} running jobs (they will be redelivered)",
                    settings.shutdownGrace(), abandoned);
        }
    }

    /**
     * The final commit of a stop, retried with backoff until the shutdown deadline - at least one attempt. A commit
     * refused while the group rebalances succeeds once this member has rejoined, which takes polls: between
     * attempts the loop polls (partitions revoked meanwhile are committed by the listener, records fetched go back,
     * as every partition is drained). What is still uncommitted at the end is counted and logged: it runs again at
     * the next owner, and the worker exits non-zero (see {@link FlowStats#uncommittedAtStop()}).
     */
    private void commitFinalUntil(long deadline) {
        int attempt = 0;
        while (!committer.commitFinal(new ArrayList<>(partitions.all()), "shutdown")) {
            long now = clock.millis();
            if (crashRequested || now >= deadline) {
                long uncommitted = 0;
                for (PartitionState s : partitions.all()) {
                    uncommitted += s.finishedUncommitted();
                }
                counters.uncommittedAtStop(uncommitted);
                log.error("Final commit failed until the shutdown grace ended: {} finished records of {} stay"
                        + " uncommitted and run again at their next owner", uncommitted, partitions);
                return;
            }
            long backoff = AbstractOutcomeCommitter.FAILURE_BACKOFF.delay(attempt++).toMillis();
            accept(poll(Math.max(1, Math.min(backoff, deadline - now))));
            launcher.applyCompletions();
        }
    }

    /**
     * A job threw an {@link Error} (e.g. OutOfMemoryError): the loop fails with it (the process exits non-zero and
     * the orchestrator restarts it) after a best-effort stop - what finished is committed, running jobs are
     * abandoned and redelivered (counting as crash starts, so a job that keeps doing it ends as a crash loop).
     */
    private void stopAfterJobError(Error e) {
        counters.failed(e);
        log.error("A job failed with {}; the worker stops: committing what finished, abandoning running jobs",
                e.toString(), e);
        stopping = true;
        try {
            launcher.applyCompletions();
            committer.commitFinal(new ArrayList<>(partitions.all()), "stop after a job error");
        } catch (Throwable t) {
            log.warn("Final commit after a job error failed: {}", t.toString());
        }
    }

    private void closeConsumer() {
        for (PartitionState s : partitions.all()) {
            s.abandon();
        }
        try {
            // Leaves the group so the partitions move on at once. A crash commits nothing: the listener is inert.
            waker.blocking(() -> consumer.close(CloseOptions.timeout(settings.closeTimeout())));
        } catch (RuntimeException e) {
            log.warn("Closing the consumer failed: {}", e.toString());
        }
        partitions.clear();
        refreshCounters();
    }

    // ------------------------------------------------------------------ FlowStats (see LoopCounters)

    @Override
    public int inFlight() {
        return counters.inFlight();
    }

    @Override
    public int freePermits() {
        return counters.freePermits();
    }

    @Override
    public int buffered() {
        return counters.buffered();
    }

    @Override
    public int assignedPartitions() {
        return counters.assignedPartitions();
    }

    @Override
    public int paused(PauseReason reason) {
        return counters.paused(reason);
    }

    @Override
    public long abandoned() {
        return counters.abandoned();
    }

    @Override
    public long commitFailures(CommitFailureReason reason) {
        return counters.commitFailures(reason);
    }

    @Override
    public long uncommittedAtStop() {
        return counters.uncommittedAtStop();
    }

    @Override
    public long rebalanceSince() {
        return counters.rebalanceSince();
    }

    @Override
    public long fetched() {
        return counters.fetched();
    }

    @Override
    public long skippedFinished() {
        return counters.skippedFinished();
    }

    @Override
    public long lastPollAt() {
        return counters.lastPollAt();
    }

    @Override
    public boolean running() {
        return counters.running();
    }

    @Override
    public @Nullable String publishFault() {
        return committer.publishFault();
    }

    @Override
    public @Nullable Throwable failure() {
        return counters.failure();
    }

    @Override
    public String toString() {
        return "PollLoop" + partitions;
    }
}
