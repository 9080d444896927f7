/**
 * The worker's Kafka consumption contract: the poll loop (in {@code internal}) owns the consumer and the outcome
 * producer, keeps at most K jobs per partition and a worker-wide cap in flight, pauses partitions (for the {@link
 * io.promptq.worker.kafka.PauseReason}s listed there), and commits per partition only up to the lowest offset whose
 * job is not finished. It hands each record to a {@link io.promptq.worker.kafka.RecordHandler} on a virtual thread,
 * which returns the record's {@link io.promptq.worker.kafka.JobOutput}; the loop writes outputs together with the
 * offsets (one Kafka transaction per commit by default). It asks an {@link io.promptq.worker.kafka.IntakeGate}
 * whether intake must pause, and a {@link io.promptq.worker.kafka.DuplicateGate} whether a jobs record is a later
 * copy of a job already accepted (then it is never started). Its counters are read through {@link io.promptq.worker.kafka.FlowStats}, its
 * partitions through {@link io.promptq.worker.kafka.PartitionView}.
 */
@NullMarked
package io.promptq.worker.kafka;

import org.jspecify.annotations.NullMarked;
