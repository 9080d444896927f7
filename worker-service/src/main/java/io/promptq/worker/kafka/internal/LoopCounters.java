package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PauseReason;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;

/**
 * The poll loop's counters: written by the poll thread only, read by any thread through {@link FlowStats}
 * (metrics, health, the launcher's progress display). Views of poll-thread state (jobs in flight, buffered
 * records, assigned partitions, pauses) are refreshed by the poll thread when that state changes.
 */
final class LoopCounters implements FlowStats {

    private final int maxInFlight;
    private final Clock clock;
    private final AtomicIntegerArray pausedByReason = new AtomicIntegerArray(PauseReason.values().length);
    private final AtomicLong abandonedTotal = new AtomicLong();
    private final AtomicLongArray commitFailuresByReason = new AtomicLongArray(CommitFailureReason.values().length);
    private final AtomicLong fetchedTotal = new AtomicLong();
    private final AtomicLong skippedFinishedTotal = new AtomicLong();
    private volatile int inFlight;
    private volatile int buffered;
    private volatile int assigned;
    private volatile long lastPollAt;
    private volatile long uncommittedAtStop;
    private volatile long rebalanceSince;
    private volatile boolean running;
    private volatile @Nullable Throwable failure;

    /** @param maxInFlight the worker-wide cap, for {@link #freePermits()} */
    LoopCounters(int maxInFlight) {
        this(maxInFlight, Clock.systemUTC());
    }

    /** @param clock stamps the start of a rebalance ({@link #rebalanceSince()}) */
    LoopCounters(int maxInFlight, Clock clock) {
        this.maxInFlight = maxInFlight;
        this.clock = clock;
    }

    /**
     * Poll thread: a sign that the group is rebalancing (partitions revoked or lost, a commit refused for a
     * rebalance). Keeps the first sign's time until {@link #rebalanceEnded()}.
     */
    void rebalanceStarted() {
        if (rebalanceSince == 0) {
            rebalanceSince = Math.max(1, clock.millis());
        }
    }

    /** Poll thread: this member is fetching again (partitions assigned at the end of a rebalance, or records fetched). */
    void rebalanceEnded() {
        rebalanceSince = 0;
    }

    @Override
    public long rebalanceSince() {
        return rebalanceSince;
    }

    /** Poll thread: publishes the current jobs in flight and, from {@code partitions}, buffered and assigned. */
    void refresh(int jobsInFlight, AssignedPartitions partitions) {
        inFlight = jobsInFlight;
        buffered = partitions.buffered();
        assigned = partitions.size();
    }

    /** Poll thread: publishes how many partitions are paused for each reason ({@code counts[reason.ordinal()]}). */
    void pausedNow(int[] counts) {
        for (int i = 0; i < counts.length; i++) {
            pausedByReason.set(i, counts[i]);
        }
    }

    void countFetched(int records) {
        fetchedTotal.addAndGet(records);
    }

    /** Poll thread: fetched records skipped because an earlier owner finished them ({@link PartitionState#add}). */
    void countSkippedFinished(int records) {
        skippedFinishedTotal.addAndGet(records);
    }

    /**
     * Fetched records skipped so far because an earlier owner of their partition had finished them (recorded in the
     * commit's metadata): each is a provider call saved.
     */
    @Override
    public long skippedFinished() {
        return skippedFinishedTotal.get();
    }

    /** Poll thread: a commit of finished work failed for {@code reason} (a rebalance one marks a rebalance started). */
    void countCommitFailure(CommitFailureReason reason) {
        commitFailuresByReason.incrementAndGet(reason.ordinal());
        if (reason == CommitFailureReason.REBALANCE) {
            rebalanceStarted();
        }
    }

    @Override
    public long commitFailures(CommitFailureReason reason) {
        return commitFailuresByReason.get(reason.ordinal());
    }

    /** Poll thread: a graceful stop ended with {@code records} finished records it could not commit. */
    void uncommittedAtStop(long records) {
        uncommittedAtStop = records;
    }

    @Override
    public long uncommittedAtStop() {
        return uncommittedAtStop;
    }

    void countAbandoned(int jobs) {
        abandonedTotal.addAndGet(jobs);
    }

    void polledAt(long epochMillis) {
        lastPollAt = epochMillis;
    }

    void running(boolean running) {
        this.running = running;
    }

    void failed(Throwable failure) {
        this.failure = failure;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public int freePermits() {
        return Math.max(0, maxInFlight - inFlight);
    }

    @Override
    public int buffered() {
        return buffered;
    }

    @Override
    public int assignedPartitions() {
        return assigned;
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
    public @Nullable Throwable failure() {
        return failure;
    }
}
