package io.promptq.aggregator.batch.internal;

import io.promptq.schema.BatchEvent;
import io.promptq.schema.JobResult;

/** What the batch processor folds, keyed by batch id: a step of the batch, or the result of one of its jobs. */
public sealed interface BatchInput {

    record Event(BatchEvent event) implements BatchInput {}

    record Result(JobResult result) implements BatchInput {}
}
