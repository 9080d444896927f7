package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.PauseReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Flow state of one assigned partition: its permits (at most K jobs in flight), a bounded buffer of fetched
 * records waiting for a permit (or, on a retry tier, for their due time), the {@link OffsetTracker} of its
 * offsets, the outputs of finished jobs waiting for the commit that writes them, and whether and why it is
 * paused.
 *
 * <p>Confined to the poll thread, except the volatile fields read by metrics and {@link #abandoned()}, which job
 * threads read to learn that their partition was revoked. A new instance is created for every assignment, so a
 * completion that refers to an old instance is recognisably stale.
 */
final class PartitionState implements PartitionView {

    /** A fetched record, registered in the tracker under {@code seq}; {@code dueAt} in epoch millis (0 = now). */
    record Pending(ConsumerRecord<byte[], byte[]> record, long seq, long dueAt) {}

    private final TopicPartition tp;
    private final boolean retryTier;
    private final int permits;
    private final int bufferCapacity;
    private final int maxUncommitted;
    private final OffsetTracker tracker;
    private final ArrayDeque<Pending> buffer;
    private final Map<Long, Thread> running = new HashMap<>();
    /** Finished jobs whose output waits for the next commit, in completion order; read and emptied by it. */
    private final ArrayList<JobCompletion> uncommittedOutputs = new ArrayList<>();

    private volatile int inFlight;
    private volatile int buffered;
    private volatile PauseReason pauseReason;
    private volatile boolean abandoned;
    private boolean draining;
    private long committed = -1;
    private long commitRequested = -1;

    PartitionState(TopicPartition tp, boolean retryTier, int permits, int bufferCapacity, int maxUncommitted) {
        if (permits < 1 || bufferCapacity < 1 || maxUncommitted < 1) {
            throw new IllegalArgumentException("permits, bufferCapacity and maxUncommitted must be positive");
        }
        this.tp = tp;
        this.retryTier = retryTier;
        this.permits = permits;
        this.bufferCapacity = bufferCapacity;
        this.maxUncommitted = Math.max(maxUncommitted, permits + bufferCapacity);
        this.tracker = new OffsetTracker(Math.min(1024, permits + bufferCapacity));
        this.buffer = new ArrayDeque<>(bufferCapacity);
    }

    TopicPartition topicPartition() {
        return tp;
    }

    boolean retryTier() {
        return retryTier;
    }

    /** Whether one more fetched record may be buffered (else the caller seeks back to it). */
    boolean hasRoom() {
        return !draining && buffer.size() < bufferCapacity && tracker.outstanding() < maxUncommitted;
    }

    /** Buffers a fetched record and registers its offset as unfinished. */
    void add(ConsumerRecord<byte[], byte[]> record, long dueAt) {
        long seq = tracker.register(record.offset());
        buffer.addLast(new Pending(record, seq, dueAt));
        buffered = buffer.size();
    }

    /** Whether a permit is free (and the partition is not being revoked). */
    boolean canStart() {
        return !draining && inFlight < permits;
    }

    /**
     * Takes the next record that may start now: the oldest buffered one, or on a retry tier the oldest one that
     * is due. Null if none.
     */
    Pending nextReady(long now) {
        if (buffer.isEmpty()) {
            return null;
        }
        Pending next = null;
        if (!retryTier || buffer.peekFirst().dueAt() <= now) {
            next = buffer.pollFirst();
        } else {
            for (Iterator<Pending> it = buffer.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.dueAt() <= now) {
                    it.remove();
                    next = p;
                    break;
                }
            }
        }
        buffered = buffer.size();
        return next;
    }

    /** The earliest due time of a buffered record that is not yet due, or {@link Long#MAX_VALUE}. */
    long nextDueAt(long now) {
        if (!retryTier) {
            return Long.MAX_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (Pending p : buffer) {
            if (p.dueAt() > now && p.dueAt() < min) {
                min = p.dueAt();
            }
        }
        return min;
    }

    void started(Pending pending, Thread thread) {
        inFlight++;
        running.put(pending.seq(), thread);
    }

    /**
     * A job of this partition ended.
     *
     * @param finished whether its outcome was acknowledged (else it was abandoned and stays unfinished)
     */
    void ended(long seq, boolean finished) {
        if (running.remove(seq) != null) {
            inFlight--;
        }
        if (finished) {
            tracker.complete(seq);
        }
    }

    /**
     * Stops taking and starting records (revocation or shutdown): drops the buffer, whose records stay
     * unfinished and so are never committed past.
     */
    void drain() {
        draining = true;
        buffer.clear();
        buffered = 0;
    }

    /**
     * A finished job's output waits here until a commit writes it together with the offsets (see {@link
     * OutcomeCommitter}); an empty output needs no writing.
     */
    void awaitCommit(JobCompletion finished) {
        JobOutput output = finished.output();
        if (output != null && !output.isEmpty()) {
            uncommittedOutputs.add(finished);
        }
    }

    /** The outputs waiting for a commit, in completion order: the committer writes, replaces and removes them. */
    ArrayList<JobCompletion> uncommittedOutputs() {
        return uncommittedOutputs;
    }

    /**
     * Marks the partition abandoned: its running jobs' outputs and completions are ignored, and outputs not yet
     * committed are dropped - the records are the new owner's to run again.
     */
    void abandon() {
        drain();
        abandoned = true;
        uncommittedOutputs.clear();
        for (Thread t : running.values()) {
            t.interrupt();
        }
    }

    /** Read by job threads: the partition was revoked or the worker stopped without waiting for them. */
    boolean abandoned() {
        return abandoned;
    }

    int running() {
        return running.size();
    }

    /**
     * Decides whether the partition should be fetched.
     *
     * @param gate reason from the intake gate (breaker), or null
     * @param workerCapReached whether the worker-wide cap is reached (a partition then still fills its buffer)
     * @param throttled whether calls are waiting for a rate limit (relabels permit pauses)
     * @param now current time, epoch millis
     * @return why to pause, or null to fetch
     */
    PauseReason evaluate(PauseReason gate, boolean workerCapReached, boolean throttled, long now) {
        if (draining) {
            return PauseReason.SHUTDOWN;
        }
        if (gate != null) {
            return gate;
        }
        if (tracker.outstanding() >= maxUncommitted) {
            return PauseReason.UNCOMMITTED_LIMIT;
        }
        PauseReason reason;
        if (inFlight >= permits) {
            reason = PauseReason.PERMITS;
        } else if (buffer.size() >= bufferCapacity) {
            // Called after dispatching: with permits free, a full buffer waits for the worker cap, or - on a retry
            // tier - holds only records that are not yet due.
            if (workerCapReached) {
                reason = PauseReason.WORKER_CAP;
            } else {
                return retryTier && !hasDue(now) ? PauseReason.RETRY_NOT_DUE : PauseReason.PERMITS;
            }
        } else {
            return null; // below the cap or not: keep the buffer filled, so a freed worker permit is used at once
        }
        return throttled ? PauseReason.RATE_LIMIT : reason;
    }

    private boolean hasDue(long now) {
        for (Pending p : buffer) {
            if (p.dueAt() <= now) {
                return true;
            }
        }
        return false;
    }

    void pauseReason(PauseReason reason) {
        this.pauseReason = reason;
    }

    /** The position to commit if it moved past what was committed or requested, else -1. */
    long commitCandidate() {
        long position = tracker.commitPosition();
        return position > Math.max(committed, commitRequested) ? position : -1;
    }

    /**
     * The position a final, synchronous commit (revocation, shutdown) must write: anything past what is known to
     * be committed, even if an asynchronous commit of it is still in flight, since that one may yet fail.
     */
    long finalCommitCandidate() {
        long position = tracker.commitPosition();
        return position > committed ? position : -1;
    }

    void commitRequested(long position) {
        commitRequested = Math.max(commitRequested, position);
    }

    void commitSucceeded(long position) {
        committed = Math.max(committed, position);
    }

    /** A commit request failed: allow the next commit to ask again. */
    void commitFailed() {
        commitRequested = committed;
    }

    /** The committable position right now (see {@link OffsetTracker#commitPosition()}). */
    long commitPosition() {
        return tracker.commitPosition();
    }

    int outstanding() {
        return tracker.outstanding();
    }

    @Override
    public String topic() {
        return tp.topic();
    }

    @Override
    public int partition() {
        return tp.partition();
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public int freePermits() {
        return Math.max(0, permits - inFlight);
    }

    @Override
    public int buffered() {
        return buffered;
    }

    @Override
    public PauseReason pauseReason() {
        return pauseReason;
    }

    @Override
    public String toString() {
        return tp + "[inFlight=" + inFlight + ", buffered=" + buffered + ", outstanding=" + tracker.outstanding()
                + ", paused=" + pauseReason + "]";
    }
}
