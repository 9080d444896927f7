package io.promptq.worker.processing;

import io.promptq.schema.ErrorInfo;
import io.promptq.schema.PromptJob;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything known about a job when its current delivery ends: all attempts so far (this worker's and earlier
 * ones), their provider time and token usage, and the latest failure.
 *
 * @param job the job
 * @param source the record this delivery was read from
 * @param origin where the job was first published
 * @param attempts provider attempts made in total
 * @param attemptDurationsMs provider time of each attempt, in order
 * @param promptTokens prompt tokens over all attempts
 * @param completionTokens completion tokens over all attempts
 * @param firstStartedAt when the first attempt started; null if none was made
 * @param firstFailureAt when the first attempt failed; null if none failed
 * @param lastFailureAt when the latest attempt failed; null if none failed
 * @param lastError the latest failure; null if none failed
 * @param decidedAt when this delivery's outcome was decided
 * @param provider name of the provider that served the attempts
 */
public record JobHistory(
        PromptJob job,
        Coordinates source,
        Coordinates origin,
        int attempts,
        List<Long> attemptDurationsMs,
        long promptTokens,
        long completionTokens,
        @Nullable Instant firstStartedAt,
        @Nullable Instant firstFailureAt,
        @Nullable Instant lastFailureAt,
        @Nullable ErrorInfo lastError,
        Instant decidedAt,
        String provider) {

    public JobHistory {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(provider, "provider");
        attemptDurationsMs = List.copyOf(attemptDurationsMs);
    }

    /** Provider time summed over all attempts. */
    public long providerMs() {
        long sum = 0;
        for (long d : attemptDurationsMs) {
            sum += d;
        }
        return sum;
    }

    /** A copy whose latest failure is {@code error}. */
    public JobHistory withLastError(ErrorInfo error, Instant at) {
        return new JobHistory(job, source, origin, attempts, attemptDurationsMs, promptTokens, completionTokens,
                firstStartedAt, firstFailureAt != null ? firstFailureAt : at, at, error, at, provider);
    }

    public String jobId() {
        return job.getJobId();
    }
}
