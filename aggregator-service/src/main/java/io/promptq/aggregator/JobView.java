package io.promptq.aggregator;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A job's lifecycle as the aggregator materializes it from the status topic and the results topic, served at
 * {@code GET /v1/jobs/{jobId}}. Timestamps are ISO-8601 strings.
 *
 * @param state the current state: {@code QUEUED}, {@code RUNNING}, {@code RETRYING} or a terminal result status
 * @param version the rank of the current state (QUEUED 0, RUNNING of attempt n 2n-1, RETRYING of attempt n 2n,
 *     terminal {@link #TERMINAL}) in the low 32 bits, the job's redrive generation above them (0 as submitted, so
 *     the plain rank); grows with every change, so {@code ?after=<version>} waits for the next one
 * @param history the changes in order (at most {@link #MAX_HISTORY}, the oldest dropped first)
 * @param result the outcome, once terminal
 */
public record JobView(
        String jobId,
        @Nullable String tenant,
        String state,
        long version,
        boolean terminal,
        List<Change> history,
        @Nullable Result result) {

    /** Version of a terminal state. */
    public static final int TERMINAL = Integer.MAX_VALUE - 1;
    /** Version of a success that replaced a dead-lettered or expired outcome (a redrive). */
    public static final int REDRIVEN = Integer.MAX_VALUE;
    /** Most changes kept per job. */
    public static final int MAX_HISTORY = 32;

    public JobView {
        history = List.copyOf(history);
    }

    /** One change of state. */
    public record Change(long version, String state, String at, int attempt, @Nullable String workerId,
            @Nullable String nextAttemptAt, @Nullable String errorClass) {}

    /** The job's outcome (from its result record). */
    public record Result(
            String status,
            @Nullable String model,
            @Nullable String output,
            @Nullable String finishReason,
            long promptTokens,
            long completionTokens,
            int attempts,
            List<Long> attemptDurationsMs,
            long queueWaitMs,
            long providerMs,
            long endToEndMs,
            JobResultView.@Nullable Error error,
            @Nullable String completedAt) {

        public Result {
            attemptDurationsMs = List.copyOf(attemptDurationsMs);
        }
    }
}
