package io.promptq.worker.kafka;

/** Told by the poll loop (on its thread) when partitions come and go, e.g. to register per-partition gauges. */
public interface FlowListener {

    /** A listener that does nothing. */
    FlowListener NONE = new FlowListener() {};

    default void assigned(PartitionView partition) {}

    default void revoked(PartitionView partition) {}

    /** {@code count} running jobs of a revoked or lost partition were abandoned; they will be redelivered. */
    default void abandoned(int count) {}
}
