package io.promptq.worker;

/**
 * A cheap snapshot of one worker's progress, e.g. for a progress bar.
 *
 * @param workerId the worker
 * @param inFlight jobs running now
 * @param buffered fetched records waiting for a permit or their due time
 * @param assignedPartitions partitions assigned now (jobs and retry tiers)
 * @param pausedPartitions partitions paused now, for any reason
 * @param fetched records fetched so far
 * @param succeeded SUCCEEDED results published
 * @param deadLettered DEAD_LETTERED results published
 * @param expired EXPIRED results published
 * @param retriesScheduled jobs published to a retry tier
 * @param undecodable undecodable records dead-lettered
 * @param abandoned running jobs abandoned at a revocation or stop (redelivered elsewhere)
 * @param rebalanceSince epoch millis since when this worker has been in a rebalance (fetching nothing), 0 when none
 */
public record WorkerStats(
        String workerId,
        int inFlight,
        int buffered,
        int assignedPartitions,
        int pausedPartitions,
        long fetched,
        long succeeded,
        long deadLettered,
        long expired,
        long retriesScheduled,
        long undecodable,
        long abandoned,
        long rebalanceSince) {

    /** Terminal results published: succeeded + dead-lettered + expired. */
    public long completed() {
        return succeeded + deadLettered + expired;
    }
}
