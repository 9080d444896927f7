/**
 * The worker's status for the operator console: {@link io.promptq.worker.status.WorkerStatuses} maps the poll loop's
 * flow state (assigned partitions, in-flight jobs vs. permits, why a partition is paused), the provider guards
 * (breakers, refused models, rate-limit waits) and the outcome counters to one {@code WorkerStatus} record, and
 * {@link io.promptq.worker.status.WorkerStatusPublisher} sends it to the workers topic from a thread of its own, never
 * from the poll loop, with a tombstone on clean shutdown.
 */
@NullMarked
package io.promptq.worker.status;

import org.jspecify.annotations.NullMarked;
