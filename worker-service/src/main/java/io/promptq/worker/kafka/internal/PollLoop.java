package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.RecordHandler;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the worker's {@link Consumer}. Each turn it
 * <ol>
 *   <li>applies the completions job threads reported (releasing permits, marking offsets finished),</li>
 *   <li>starts buffered records on virtual threads while partition permits (K) and worker permits allow,
 *       round-robin over partitions,</li>
 *   <li>pauses and resumes partitions (permits taken, worker cap, breaker, retry records not due, ...),</li>
 *   <li>commits, asynchronously every commit interval, per partition up to the lowest unfinished offset,</li>
 *   <li>polls - for at most the poll timeout, less if a retry record falls due or a commit is due sooner; a
 *       finishing job wakes the poll up at once - and buffers what it returns.</li>
 * </ol>
 * Business logic never runs here: records go to the {@link RecordHandler} on virtual threads, which report back
 * through a queue. A record counts as finished only when its handler returned, i.e. its outcome records were
 * acknowledged by the broker.
 *
 * <p><b>Revocation</b> (cooperative or KIP-848 incremental): the partition stops starting records and drops its
 * buffer, the loop waits up to the revoke timeout for its running jobs, commits what is finished (synchronously),
 * and abandons the rest: their threads are interrupted, must not publish, and their late completions are
 * ignored - the records are redelivered to the new owner from the committed offset (at least once). A lost
 * partition is abandoned without waiting or committing.
 *
 * <p><b>Stop</b>: intake stops, running jobs get the shutdown grace, finished offsets are committed
 * synchronously, the consumer leaves the group. <b>Crash</b> ({@link #crash()}, for tests): the thread stops at
 * once without committing anything and closes the consumer, as a killed process would leave it.
 */
public final class PollLoop implements Runnable, LoopStats {

    private static final Logger log = LoggerFactory.getLogger(PollLoop.class);
    private static final long MAX_HANDLER_BACKOFF_MS = 30_000;

    /** A job thread's report: the record {@code seq} of {@code state} ended, finished or abandoned. */
    private record Completion(PartitionState state, long seq, boolean finished) {}

    private final Consumer<byte[], byte[]> consumer;
    private final LoopSettings settings;
    private final RecordHandler handler;
    private final IntakeGate gate;
    private final FlowListener listener;
    private final ThreadFactory jobThreads;
    private final Clock clock;
    private final ToLongFunction<ConsumerRecord<byte[], byte[]>> dueTime;
    private final Set<String> retryTopics;

    private final Map<TopicPartition, PartitionState> states = new HashMap<>();
    private final List<PartitionState> active = new ArrayList<>();
    private final LinkedBlockingQueue<Completion> completions = new LinkedBlockingQueue<>();
    private final AtomicBoolean wakeArmed = new AtomicBoolean();
    private final List<TopicPartition> toPause = new ArrayList<>();
    private final List<TopicPartition> toResume = new ArrayList<>();
    private final int[] pauseCounts = new int[PauseReason.values().length];
    private final AtomicIntegerArray pausedByReason = new AtomicIntegerArray(PauseReason.values().length);
    private final AtomicLong abandonedTotal = new AtomicLong();
    private final AtomicLong fetchedTotal = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private int globalInFlight;
    private int rotation;
    private long nextCommitAt;
    private long shutdownDeadline = Long.MAX_VALUE;
    private volatile int inFlightView;
    private volatile int bufferedView;
    private volatile int assignedView;
    private volatile long lastPollAt;
    private volatile boolean stopRequested;
    private volatile boolean crashRequested;
    private volatile boolean stopping;
    private volatile boolean running;
    private volatile Throwable failure;

    /**
     * @param consumer a consumer of raw bytes, used only by the thread that runs this loop
     * @param dueTime the due time (epoch millis) of a retry-tier record, read on the poll thread
     * @param jobThreads creates the thread of each job (virtual threads)
     */
    public PollLoop(Consumer<byte[], byte[]> consumer, LoopSettings settings, RecordHandler handler, IntakeGate gate,
            FlowListener listener, ThreadFactory jobThreads, Clock clock,
            ToLongFunction<ConsumerRecord<byte[], byte[]>> dueTime) {
        this.consumer = consumer;
        this.settings = settings;
        this.handler = handler;
        this.gate = gate;
        this.listener = listener;
        this.jobThreads = jobThreads;
        this.clock = clock;
        this.dueTime = dueTime;
        this.retryTopics = Set.copyOf(settings.retryTopics());
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void run() {
        running = true;
        List<String> topics = new ArrayList<>();
        topics.add(settings.jobsTopic());
        topics.addAll(settings.retryTopics());
        try {
            consumer.subscribe(topics, new Rebalance());
            nextCommitAt = monotonicMillis() + settings.commitInterval().toMillis();
            while (!stopRequested && !crashRequested) {
                turn();
            }
            if (!crashRequested) {
                drainForShutdown();
            }
        } catch (Throwable t) {
            failure = t;
            log.error("Poll loop failed; the worker stops consuming (uncommitted jobs will be redelivered)", t);
        } finally {
            closeConsumer();
            running = false;
            stopped.countDown();
        }
    }

    /** Asks the loop to stop gracefully (see the class comment); returns at once. */
    public void stop() {
        stopRequested = true;
        consumer.wakeup();
    }

    /** Stops the loop like a crash: no waiting for jobs, no commit. Returns at once. */
    public void crash() {
        crashRequested = true;
        consumer.wakeup();
    }

    /** Waits until the loop's thread has finished. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ one turn

    private void turn() {
        long now = clock.millis();
        drainCompletions();
        dispatch(now);
        updatePauses(now);
        maybeCommit();
        accept(poll(pollTimeout(now)));
    }

    /** Intervals (commits) run on a monotonic clock; due times and deadlines on the injected wall clock. */
    private static long monotonicMillis() {
        return System.nanoTime() / 1_000_000;
    }

    private ConsumerRecords<byte[], byte[]> poll(long timeoutMs) {
        wakeArmed.set(true);
        // A stop request wakes the loop once; while draining for shutdown it polls with its normal timeout
        // (completions still wake it) instead of spinning on the CPU the finishing jobs need.
        if (!completions.isEmpty() || (stopRequested && !stopping) || crashRequested) {
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
            wakeArmed.set(false);
            lastPollAt = clock.millis();
        }
    }

    private long pollTimeout(long now) {
        long timeout = settings.pollTimeout().toMillis();
        timeout = Math.min(timeout, nextCommitAt - monotonicMillis());
        for (PartitionState s : active) {
            if (s.retryTier() && s.canStart()) {
                long due = s.nextDueAt(now);
                if (due != Long.MAX_VALUE) {
                    timeout = Math.min(timeout, due - now);
                }
            }
        }
        return Math.max(0, timeout);
    }

    private void accept(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        fetchedTotal.addAndGet(records.count());
        for (TopicPartition tp : records.partitions()) {
            PartitionState s = states.get(tp);
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
                s.add(r, s.retryTier() ? dueTime.applyAsLong(r) : 0L);
            }
        }
        refreshViews();
    }

    private void bufferUndecodable(RecordDeserializationException e) {
        TopicPartition tp = e.topicPartition();
        PartitionState s = states.get(tp);
        log.warn("Undecodable record {}@{}: {}", tp, e.offset(), e.getMessage());
        if (s == null || !s.hasRoom()) {
            return;
        }
        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>(tp.topic(), tp.partition(), e.offset(), e.timestamp(),
                e.timestampType(), -1, -1, bytes(e.keyBuffer()), bytes(e.valueBuffer()), e.headers(), Optional.empty());
        s.add(raw, 0L);
        consumer.seek(tp, e.offset() + 1);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    // ------------------------------------------------------------------ dispatch and completion

    private void dispatch(long now) {
        int n = active.size();
        if (n == 0 || stopping) {
            return;
        }
        int start = Math.floorMod(rotation++, n);
        for (int i = 0; i < n && globalInFlight < settings.maxInFlight(); i++) {
            PartitionState s = active.get((start + i) % n);
            while (globalInFlight < settings.maxInFlight() && s.canStart()) {
                PartitionState.Pending p = s.nextReady(now);
                if (p == null) {
                    break;
                }
                start(s, p);
            }
        }
        refreshViews();
    }

    private void start(PartitionState s, PartitionState.Pending p) {
        Thread t = jobThreads.newThread(() -> runJob(s, p));
        globalInFlight++;
        s.started(p, t);
        t.start();
    }

    /** Runs on the job's virtual thread. */
    private void runJob(PartitionState s, PartitionState.Pending p) {
        boolean finished = false;
        try {
            long backoff = 1_000;
            while (!s.abandoned()) {
                try {
                    handler.handle(p.record(), s::abandoned);
                    finished = true;
                    break;
                } catch (InterruptedException | CancellationException e) {
                    break;
                } catch (RuntimeException e) {
                    if (s.abandoned()) {
                        break;
                    }
                    ConsumerRecord<byte[], byte[]> r = p.record();
                    log.error("Handling {}-{}@{} failed; trying again in {} ms", r.topic(), r.partition(), r.offset(),
                            backoff, e);
                    Thread.sleep(backoff);
                    backoff = Math.min(backoff * 2, MAX_HANDLER_BACKOFF_MS);
                }
            }
        } catch (InterruptedException e) {
            // abandoned while backing off
        } finally {
            complete(new Completion(s, p.seq(), finished));
        }
    }

    /** Called by job threads. */
    private void complete(Completion c) {
        completions.add(c);
        if (wakeArmed.compareAndSet(true, false)) {
            consumer.wakeup();
        }
    }

    private void drainCompletions() {
        Completion c;
        while ((c = completions.poll()) != null) {
            apply(c);
        }
    }

    private void apply(Completion c) {
        globalInFlight--;
        PartitionState s = c.state();
        // A revoked or lost partition's offsets belong to the new owner now: never mark them finished.
        s.ended(c.seq(), c.finished() && !s.abandoned());
    }

    // ------------------------------------------------------------------ pausing

    private void updatePauses(long now) {
        PauseReason gateReason = stopping ? null : gate.blocked();
        boolean throttled = gateReason == null && gate.throttled();
        boolean capReached = globalInFlight >= settings.maxInFlight();
        toPause.clear();
        toResume.clear();
        Arrays.fill(pauseCounts, 0);
        for (PartitionState s : active) {
            PauseReason reason = s.evaluate(gateReason, capReached, throttled, now);
            PauseReason before = s.pauseReason();
            if (reason != null && before == null) {
                toPause.add(s.topicPartition());
            } else if (reason == null && before != null) {
                toResume.add(s.topicPartition());
            }
            s.pauseReason(reason);
            if (reason != null) {
                pauseCounts[reason.ordinal()]++;
            }
        }
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
        for (int i = 0; i < pauseCounts.length; i++) {
            pausedByReason.set(i, pauseCounts[i]);
        }
    }

    // ------------------------------------------------------------------ commits

    private void maybeCommit() {
        long now = monotonicMillis();
        if (now < nextCommitAt) {
            return;
        }
        nextCommitAt = now + settings.commitInterval().toMillis();
        Map<TopicPartition, OffsetAndMetadata> offsets = candidates(active, false);
        if (offsets.isEmpty()) {
            return;
        }
        offsets.forEach((tp, o) -> states.get(tp).commitRequested(o.offset()));
        consumer.commitAsync(offsets, (committed, error) -> {
            for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
                PartitionState s = states.get(e.getKey());
                if (s == null) {
                    continue;
                }
                if (error == null) {
                    s.commitSucceeded(e.getValue().offset());
                } else {
                    s.commitFailed();
                }
            }
            if (error != null) {
                log.debug("Asynchronous commit of {} failed (retried at the next interval): {}", committed.keySet(),
                        error.toString());
            }
        });
    }

    private static Map<TopicPartition, OffsetAndMetadata> candidates(Collection<PartitionState> of, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState s : of) {
            if (s.abandoned()) {
                continue;
            }
            long position = sync ? s.finalCommitCandidate() : s.commitCandidate();
            if (position >= 0) {
                offsets.put(s.topicPartition(), new OffsetAndMetadata(position));
            }
        }
        return offsets;
    }

    /** Commits synchronously; a stray wakeup from a job thread is retried, other failures are logged. */
    private void commitSync(Collection<PartitionState> of, String why) {
        Map<TopicPartition, OffsetAndMetadata> offsets = candidates(of, true);
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                consumer.commitSync(offsets, settings.closeTimeout());
                for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
                    PartitionState s = states.get(e.getKey());
                    if (s != null) {
                        s.commitSucceeded(e.getValue().offset());
                    }
                }
                log.debug("Committed {} ({})", offsets, why);
                return;
            } catch (WakeupException e) {
                // a job thread woke the consumer: try again
            } catch (KafkaException e) {
                log.warn("Commit of {} ({}) failed; these jobs may be processed again: {}", offsets, why, e.toString());
                return;
            }
        }
    }

    // ------------------------------------------------------------------ rebalancing

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                if (states.containsKey(tp)) {
                    // Already ours: keep its state. Starting over would skip past its buffered and running records.
                    log.debug("{} assigned again while owned; keeping its state", tp);
                    continue;
                }
                PartitionState s = new PartitionState(tp, retryTopics.contains(tp.topic()),
                        settings.partitionConcurrency(), settings.bufferPerPartition(), settings.maxUncommitted());
                if (stopping) {
                    s.drain();
                }
                states.put(tp, s);
                active.add(s);
                safely(() -> listener.assigned(s));
            }
            refreshViews();
            if (!partitions.isEmpty()) {
                log.info("Assigned {}", partitions);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (crashRequested || partitions.isEmpty()) {
                return;
            }
            release(partitions, true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (crashRequested || partitions.isEmpty()) {
                return;
            }
            release(partitions, false);
        }
    }

    /**
     * Gives partitions up: stop starting their records, wait for their running jobs (bounded), commit what is
     * finished and abandon the rest; for lost partitions neither wait nor commit.
     */
    private void release(Collection<TopicPartition> partitions, boolean revoked) {
        wakeArmed.set(false);
        List<PartitionState> leaving = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            PartitionState s = states.get(tp);
            if (s != null) {
                leaving.add(s);
                s.drain();
            }
        }
        if (revoked && !anyAbandoned(leaving)) {
            long now = clock.millis();
            long wait = stopping ? Math.max(0, shutdownDeadline - now) : settings.revokeTimeout().toMillis();
            awaitRunning(leaving, wait);
            commitSync(leaving, "revocation");
        }
        int abandoned = 0;
        for (PartitionState s : leaving) {
            abandoned += s.abandoned() ? 0 : s.running();
            s.abandon();
            states.remove(s.topicPartition());
            active.remove(s);
            safely(() -> listener.revoked(s));
        }
        refreshViews();
        if (abandoned > 0) {
            abandonedTotal.addAndGet(abandoned);
            int count = abandoned;
            safely(() -> listener.abandoned(count));
            log.warn("{} {}: abandoned {} running jobs (they will be redelivered)", revoked ? "Revoked" : "Lost",
                    partitions, abandoned);
        } else {
            log.info("{} {}", revoked ? "Revoked" : "Lost", partitions);
        }
    }

    /** Applies completions until none of {@code of} has running jobs or {@code waitMs} passed. */
    private void awaitRunning(Collection<PartitionState> of, long waitMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (anyRunning(of)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            try {
                Completion c = completions.poll(remaining, TimeUnit.NANOSECONDS);
                if (c == null) {
                    return;
                }
                apply(c);
                drainCompletions();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean anyAbandoned(Collection<PartitionState> of) {
        for (PartitionState s : of) {
            if (s.abandoned()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyRunning(Collection<PartitionState> of) {
        for (PartitionState s : of) {
            if (s.running() > 0) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ shutdown

    private void drainForShutdown() {
        long now = clock.millis();
        shutdownDeadline = now + settings.shutdownGrace().toMillis();
        stopping = true;
        for (PartitionState s : active) {
            s.drain();
        }
        log.info("Stopping: intake paused, waiting up to {} for {} running jobs", settings.shutdownGrace(),
                runningJobs());
        while (runningJobs() > 0 && !crashRequested) {
            now = clock.millis();
            if (now >= shutdownDeadline) {
                break;
            }
            drainCompletions();
            updatePauses(now);
            maybeCommit();
            accept(poll(Math.min(settings.pollTimeout().toMillis(), shutdownDeadline - now)));
        }
        drainCompletions();
        if (crashRequested) {
            return;
        }
        commitSync(new ArrayList<>(active), "shutdown");
        int abandoned = runningJobs();
        if (abandoned > 0) {
            abandonedTotal.addAndGet(abandoned);
            log.warn("Shutdown grace {} over: abandoning {} running jobs (they will be redelivered)",
                    settings.shutdownGrace(), abandoned);
        }
    }

    private int runningJobs() {
        int n = 0;
        for (PartitionState s : active) {
            n += s.running();
        }
        return n;
    }

    private void closeConsumer() {
        stopping = true;
        for (PartitionState s : active) {
            s.abandon();
        }
        try {
            // Leaves the group so the partitions move on at once. A crash commits nothing: the listener is inert.
            consumer.close(CloseOptions.timeout(settings.closeTimeout()));
        } catch (RuntimeException e) {
            log.warn("Closing the consumer failed: {}", e.toString());
        }
        states.clear();
        active.clear();
        refreshViews();
    }

    private void refreshViews() {
        inFlightView = globalInFlight;
        int buffered = 0;
        for (PartitionState s : active) {
            buffered += s.buffered();
        }
        bufferedView = buffered;
        assignedView = active.size();
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("Flow listener failed (ignored): {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ LoopStats

    @Override
    public int inFlight() {
        return inFlightView;
    }

    @Override
    public int freePermits() {
        return Math.max(0, settings.maxInFlight() - inFlightView);
    }

    @Override
    public int buffered() {
        return bufferedView;
    }

    @Override
    public int assignedPartitions() {
        return assignedView;
    }

    @Override
    public int paused(PauseReason reason) {
        return pausedByReason.get(reason.ordinal());
    }

    @Override
    public long abandoned() {
        return abandonedTotal.get();
    }

    @Override
    public long fetched() {
        return fetchedTotal.get();
    }

    @Override
    public long lastPollAt() {
        return lastPollAt;
    }

    @Override
    public boolean running() {
        return running;
    }

    @Override
    public Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "PollLoop" + active;
    }
}
