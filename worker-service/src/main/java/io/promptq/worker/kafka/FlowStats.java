package io.promptq.worker.kafka;

import org.jspecify.annotations.Nullable;

/**
 * Read-only, thread-safe counters of the worker's consumer flow (jobs in flight, buffered records, pauses,
 * fetches), for metrics, health checks and the launcher's progress display. The poll loop implements it; readers
 * on any thread see values the poll thread published, never its internal state.
 */
public interface FlowStats {

    /** Jobs running now (including abandoned ones that have not stopped yet). */
    int inFlight();

    /** Worker-wide permits not taken. */
    int freePermits();

    /** Fetched records waiting in partition buffers. */
    int buffered();

    /** Partitions assigned now. */
    int assignedPartitions();

    /** Partitions paused now for {@code reason}. */
    int paused(PauseReason reason);

    /** Running jobs abandoned at a revocation or stop so far (they are redelivered). */
    long abandoned();

    /** Records fetched so far. */
    long fetched();

    /**
     * Fetched records skipped because an earlier owner of their partition had finished them (known from the
     * committed offset's metadata) - each one a provider call not paid twice.
     */
    long skippedFinished();

    /** Commits of finished work (outputs and offsets) that failed so far, for {@code reason}. */
    default long commitFailures(CommitFailureReason reason) {
        return 0;
    }

    /**
     * Finished records a graceful stop could not commit before its grace ended (they run again at the next owner);
     * 0 if everything was committed or the loop has not stopped. The worker process then exits with status 3.
     */
    default long uncommittedAtStop() {
        return 0;
    }

    /**
     * Epoch millis since when this member has been in a rebalance, 0 when none. Known from partitions revoked or
     * lost, or a commit refused because the group rebalances, until partitions are assigned at the end of the
     * rebalance (under the classic protocol every rejoin ends with that callback, possibly with no partitions) or
     * records are fetched again. While the join is pending, the classic consumer fetches nothing, not even for the
     * partitions it keeps - without any partition showing as paused.
     */
    default long rebalanceSince() {
        return 0;
    }

    /** Seconds this member has been in the current rebalance at {@code nowMillis}, 0 when none. */
    default double rebalanceSeconds(long nowMillis) {
        long since = rebalanceSince();
        return since == 0 ? 0 : Math.max(0, nowMillis - since) / 1000.0;
    }

    /** Epoch millis of the latest poll, 0 before the first. */
    long lastPollAt();

    /** Whether the loop is running. */
    boolean running();

    /**
     * Why finished jobs' outputs cannot be published now for a fault of the system (see
     * {@link PauseReason#PUBLISH_FAILING}), or null.
     */
    default @Nullable String publishFault() {
        return null;
    }

    /** The error that stopped the loop, or null. */
    @Nullable Throwable failure();
}
