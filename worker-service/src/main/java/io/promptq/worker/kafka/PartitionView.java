package io.promptq.worker.kafka;

import org.jspecify.annotations.Nullable;

/** Read-only, thread-safe view of one assigned partition's flow state, for metrics. */
public interface PartitionView {

    String topic();

    int partition();

    /** Jobs of the partition started and not yet finished. */
    int inFlight();

    /** Partition permits not taken. */
    int freePermits();

    /** Fetched records waiting for a permit (or, on a retry tier, for their due time). */
    int buffered();

    /** Why the partition is paused, or null if it is fetched. */
    @Nullable PauseReason pauseReason();
}
