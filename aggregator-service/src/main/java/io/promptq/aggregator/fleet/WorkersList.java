package io.promptq.aggregator.fleet;

import io.promptq.schema.WorkerPartitionStatus;
import io.promptq.schema.WorkerStatus;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code GET /v1/console/workers}: every worker replica that published a status and has not left, by id.
 *
 * @param workers the replicas, sorted by workerId
 */
public record WorkersList(List<Worker> workers) {

    /** How many of a worker's publishing intervals may pass without a record before it is shown stale. */
    public static final int STALE_AFTER_INTERVALS = 3;

    /**
     * One replica as it last reported.
     *
     * @param stale no record for {@value #STALE_AFTER_INTERVALS} of its intervals: it died or cannot reach Kafka
     */
    public record Worker(String workerId, String groupId, String host, long startedAt, long at, boolean stale,
            List<Partition> partitions, int inFlight, int freePermits, int buffered, Map<String, String> breakers,
            List<String> modelsUnavailable, long rateLimitWaits, long rebalanceSince, @Nullable String publishFault,
            long succeeded, long deadLettered, long expired, long retriesScheduled) {}

    /** One assigned partition: jobs running vs. permits free, and why it is paused ({@code null}: fetched). */
    public record Partition(String topic, int partition, int inFlight, int permits, int buffered, boolean paused,
            @Nullable String pauseReason) {}

    /** The view of {@code status} at {@code nowMillis}. */
    public static Worker worker(WorkerStatus status, long nowMillis) {
        long at = status.getAt().toEpochMilli();
        boolean stale = nowMillis - at > STALE_AFTER_INTERVALS * Math.max(1, status.getIntervalMs());
        List<Partition> partitions = status.getPartitions().stream().map(WorkersList::partition).toList();
        return new Worker(status.getWorkerId(), status.getGroupId(), status.getHost(),
                status.getStartedAt().toEpochMilli(), at, stale, partitions, status.getInFlight(),
                status.getFreePermits(), status.getBuffered(), Map.copyOf(status.getBreakers()),
                List.copyOf(status.getModelsUnavailable()), status.getRateLimitWaits(), status.getRebalanceSince(),
                status.getPublishFault(), status.getSucceeded(), status.getDeadLettered(), status.getExpired(),
                status.getRetriesScheduled());
    }

    private static Partition partition(WorkerPartitionStatus p) {
        return new Partition(p.getTopic(), p.getPartition(), p.getInFlight(), p.getPermits(), p.getBuffered(),
                p.getPaused(), p.getPauseReason());
    }
}
