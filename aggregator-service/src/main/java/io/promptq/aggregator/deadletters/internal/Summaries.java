package io.promptq.aggregator.deadletters.internal;

import io.promptq.aggregator.deadletters.DeadLetterSummary;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.PromptJob;

/** The summary of a decoded dead letter. */
public final class Summaries {

    private Summaries() {}

    /** The summary of {@code deadLetter}, the record at {@code partition}/{@code offset} of the dead-letter topic. */
    public static DeadLetterSummary of(DeadLetter deadLetter, int partition, long offset) {
        PromptJob job = deadLetter.getJob();
        String jobId = job != null ? job.getJobId() : deadLetter.getJobId();
        return new DeadLetterSummary(DeadLetterSummary.id(partition, offset), jobId,
                job == null ? null : job.getTenant(), job == null ? null : job.getModel(), deadLetter.getErrorType(),
                SummaryCodec.cut(deadLetter.getErrorMessage()), deadLetter.getAttempts(),
                deadLetter.getLastFailureAt().toEpochMilli(), job != null, null);
    }
}
