package io.promptq.aggregator.internal.view;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;

/** What updates a job view: a state change from the status topic or a result from the results topic. */
public sealed interface ViewInput {

    /** A state change. */
    record StateChanged(JobStateChange change) implements ViewInput {}

    /** A terminal result. */
    record ResultArrived(JobResult result) implements ViewInput {}
}
