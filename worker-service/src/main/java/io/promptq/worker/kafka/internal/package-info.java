/**
 * The worker's consumer machinery: {@link io.promptq.worker.kafka.internal.PollLoop} (the one thread that owns
 * the {@code KafkaConsumer}: polls, dispatches records to virtual threads, pauses/resumes partitions, commits,
 * handles rebalances), {@link io.promptq.worker.kafka.internal.PartitionState} (per-partition permits, bounded
 * buffer and pause decision) and {@link io.promptq.worker.kafka.internal.OffsetTracker} (the committable
 * position under out-of-order completion). All three are confined to the poll thread; job threads talk to it
 * only through a completion queue, so there are no locks on the hot path.
 */
@NullMarked
package io.promptq.worker.kafka.internal;

import org.jspecify.annotations.NullMarked;
