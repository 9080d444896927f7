package io.promptq.aggregator;

import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of a job's terminal {@link JobResult} on the query API ({@code GET /v1/jobs/{id}/result}):
 * the first result the aggregator saw for the job, timestamps as ISO-8601 strings.
 *
 * @param status {@code SUCCEEDED}, {@code DEAD_LETTERED}, {@code EXPIRED}, {@code CANCELLED} or {@code UNKNOWN}
 * @param attemptDurationsMs provider time of each attempt
 * @param error why the job failed, if it did
 */
public record JobResultView(
        String jobId,
        String tenant,
        String model,
        String status,
        String output,
        String finishReason,
        long promptTokens,
        long completionTokens,
        int attempts,
        List<Long> attemptDurationsMs,
        long queueWaitMs,
        long providerMs,
        long endToEndMs,
        String submittedAt,
        String completedAt,
        String workerId,
        String provider,
        Error error,
        Map<String, String> attributes) {

    /** Why a job failed, as classified by the worker. */
    public record Error(String type, String message, boolean retryable, Integer httpStatus) {}

    /** The view of {@code result}. */
    public static JobResultView from(JobResult r) {
        ErrorInfo e = r.getError();
        return new JobResultView(r.getJobId(), r.getTenant(), r.getModel(), r.getStatus().name(), r.getOutput(),
                r.getFinishReason(), r.getUsage().getPromptTokens(), r.getUsage().getCompletionTokens(), r.getAttempts(),
                List.copyOf(r.getAttemptDurationsMs()), r.getQueueWaitMs(), r.getProviderMs(), r.getEndToEndMs(),
                r.getSubmittedAt() == null ? null : r.getSubmittedAt().toString(),
                r.getCompletedAt() == null ? null : r.getCompletedAt().toString(), r.getWorkerId(), r.getProvider(),
                e == null ? null : new Error(e.getType(), e.getMessage(), e.getRetryable(), e.getHttpStatus()),
                Map.copyOf(r.getAttributes()));
    }
}
