/**
 * The producer's batch submitter: turns the batches topic's CREATED and CANCEL_REQUESTED steps into one promptq job
 * per input line, and into their cancellations.
 */
@NullMarked
package io.promptq.producer.batch;

import org.jspecify.annotations.NullMarked;
