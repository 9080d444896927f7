/**
 * Cancellation of jobs on the worker: {@link io.promptq.worker.cancel.Cancellations} holds the cancel requests read
 * from the cancellations topic (by {@code internal.CancellationReader}, which reads the whole topic on a thread of
 * its own) and the jobs running on this worker, so a job is looked up in O(1) when it starts and a running job's
 * provider call is aborted (its thread interrupted) when its cancel arrives.
 */
@NullMarked
package io.promptq.worker.cancel;

import org.jspecify.annotations.NullMarked;
