/**
 * The worker's consumer machinery. {@link io.promptq.worker.kafka.internal.PollLoop} is the one thread that owns
 * the {@code KafkaConsumer} and runs its turns; each concern of a turn has its own class:
 * {@link io.promptq.worker.kafka.internal.JobLauncher} (starts records on virtual threads, takes completions back,
 * the only place that runs job code), {@link io.promptq.worker.kafka.internal.PauseController} (pauses and resumes
 * partitions), {@link io.promptq.worker.kafka.internal.OutcomeCommitter} (writes finished jobs' outputs with the
 * offsets: in one Kafka transaction by {@link io.promptq.worker.kafka.internal.TransactionalCommitter}, outputs
 * then offsets by {@link io.promptq.worker.kafka.internal.AtLeastOnceCommitter}),
 * {@link io.promptq.worker.kafka.internal.RebalanceListener} (assignment, revocation, loss),
 * {@link io.promptq.worker.kafka.internal.DuplicateFilter} (holds a newly assigned jobs partition until the
 * {@link io.promptq.worker.kafka.DuplicateGate} is ready for it, asks it before each jobs record starts, finishes
 * later copies of accepted jobs unstarted and queues first copies' ledger records for the next commit),
 * {@link io.promptq.worker.kafka.internal.PollWaker} (the wakeup protocol for every blocking consumer call) and
 * {@link io.promptq.worker.kafka.internal.LoopCounters} (the {@link io.promptq.worker.kafka.FlowStats}
 * views). Per partition, {@link io.promptq.worker.kafka.internal.PartitionState} holds permits, the bounded buffer,
 * the pause decision and the outputs waiting for a commit, and {@link io.promptq.worker.kafka.internal.OffsetTracker}
 * the committable position under out-of-order completion. What a commit knows beyond its position - records
 * finished above it, start counts of records started without an outcome - is an
 * {@link io.promptq.worker.kafka.internal.OffsetProgress}, carried in the commit's metadata by
 * {@link io.promptq.worker.kafka.internal.OffsetMetadataCodec} and restored by the partition's next owner, so that
 * finished records are not run again. All of it - and every consumer and producer call - is confined to the poll
 * thread; job threads talk to it only through the completion queue, so there are no locks on the hot path.
 */
@NullMarked
package io.promptq.worker.kafka.internal;

import org.jspecify.annotations.NullMarked;
