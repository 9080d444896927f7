/**
 * The worker's Kafka consumption contract: the poll loop (in {@code internal}) owns the consumer, keeps at most
 * K jobs per partition and a worker-wide cap in flight, pauses partitions (for the {@link
 * io.promptq.worker.kafka.PauseReason}s listed there), and commits per partition only up to the lowest offset whose
 * job is not finished. It hands each record to a {@link io.promptq.worker.kafka.RecordHandler} on a virtual thread
 * and asks an {@link io.promptq.worker.kafka.IntakeGate} whether intake must pause. Its counters are read through
 * {@link io.promptq.worker.kafka.FlowStats}, its partitions through {@link io.promptq.worker.kafka.PartitionView}.
 */
@NullMarked
package io.promptq.worker.kafka;

import org.jspecify.annotations.NullMarked;
