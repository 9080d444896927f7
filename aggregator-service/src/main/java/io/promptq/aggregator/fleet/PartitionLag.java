package io.promptq.aggregator.fleet;

/**
 * A consumer group's lag on one partition: the partition's last stable offset (what a {@code read_committed}
 * consumer can reach) minus the group's committed offset (the partition's start offset when nothing is committed).
 * A partition whose last write was a transaction keeps its commit marker after the committed offset, so it can show
 * a lag of 1 with nothing left to process.
 */
public record PartitionLag(String group, String topic, int partition, long lag) {}
