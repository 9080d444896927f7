package io.promptq.aggregator;

import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Builds {@link JobResult}s for tests. */
final class Results {

    private Results() {}

    /** A succeeded single-attempt job of {@code model}/{@code tenant} completing at {@code completedAt}. */
    static JobResult succeeded(String jobId, String model, String tenant, Instant completedAt) {
        return result(jobId, model, tenant, JobStatus.SUCCEEDED, completedAt, 1000, 10, 20, 500);
    }

    /**
     * A result.
     *
     * @param endToEndMs submit to completion
     * @param promptTokens tokens in
     * @param completionTokens tokens out
     * @param attemptDurations provider time of each attempt (their count is the attempts)
     */
    static JobResult result(String jobId, String model, String tenant, JobStatus status, Instant completedAt,
            long endToEndMs, long promptTokens, long completionTokens, long... attemptDurations) {
        List<Long> durations = Arrays.stream(attemptDurations).boxed().toList();
        long provider = Arrays.stream(attemptDurations).sum();
        return JobResult.newBuilder()
                .setJobId(jobId)
                .setTenant(tenant)
                .setModel(model)
                .setStatus(status)
                .setOutput(status == JobStatus.SUCCEEDED ? "ok" : null)
                .setFinishReason(status == JobStatus.SUCCEEDED ? "stop" : null)
                .setUsage(TokenUsage.newBuilder().setPromptTokens(promptTokens).setCompletionTokens(completionTokens).build())
                .setAttempts(durations.size())
                .setAttemptDurationsMs(durations)
                .setQueueWaitMs(5)
                .setProviderMs(provider)
                .setEndToEndMs(endToEndMs)
                .setSubmittedAt(completedAt.minusMillis(endToEndMs))
                .setCompletedAt(completedAt)
                .setWorkerId("worker-1")
                .setProvider("fake")
                .setError(status == JobStatus.DEAD_LETTERED
                        ? ErrorInfo.newBuilder().setType("PROVIDER_5XX").setMessage("boom").setRetryable(true).setHttpStatus(503).build()
                        : null)
                .setAttributes(Map.of())
                .build();
    }
}
