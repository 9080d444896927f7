package io.promptq.client;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job's state as the producer answers {@code GET /v1/jobs/{id}} (see the README's "Job status"): the current
 * state, its version (the redrive generation in its high 32 bits), the ordered history of changes and, once terminal, the outcome. Timestamps are ISO-8601.
 */
public record JobView(String jobId, @Nullable String tenant, String state, long version, boolean terminal,
        List<Change> history, @Nullable Result result) {

    public JobView {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** One change of state. */
    public record Change(long version, String state, @Nullable String at, int attempt, @Nullable String workerId,
            @Nullable String nextAttemptAt, @Nullable String errorClass) {}

    /** The outcome of a terminal job. */
    public record Result(String status, @Nullable String model, @Nullable String output, @Nullable String finishReason,
            long promptTokens, long completionTokens, int attempts, @Nullable List<Long> attemptDurationsMs,
            long queueWaitMs, long providerMs, long endToEndMs, @Nullable Error error, @Nullable String completedAt) {}

    /** Why a job failed. */
    public record Error(@Nullable String type, @Nullable String message, boolean retryable, @Nullable Integer httpStatus) {}
}
