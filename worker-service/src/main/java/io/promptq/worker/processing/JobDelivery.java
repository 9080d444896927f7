package io.promptq.worker.processing;

import io.promptq.schema.ErrorInfo;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One delivery of a job to this worker: either fresh from the jobs topic, or back from a retry tier carrying
 * the history of the earlier attempts.
 *
 * @param job the job
 * @param source the record it was read from
 * @param origin where the job was first published (the jobs topic record)
 * @param tier the retry tier it was read from, -1 for the jobs topic
 * @param attemptsMade provider attempts made before this delivery
 * @param attemptDurationsMs provider time of each earlier attempt
 * @param promptTokens prompt tokens consumed by earlier attempts
 * @param completionTokens completion tokens consumed by earlier attempts
 * @param firstStartedAt when the first attempt started, null for a fresh job
 * @param firstFailureAt when the first attempt failed, null for a fresh job
 * @param lastError the latest failure, null for a fresh job
 * @param dueAt when a retried job became due, null for a fresh job
 */
public record JobDelivery(
        PromptJob job,
        Coordinates source,
        Coordinates origin,
        int tier,
        int attemptsMade,
        List<Long> attemptDurationsMs,
        long promptTokens,
        long completionTokens,
        @Nullable Instant firstStartedAt,
        @Nullable Instant firstFailureAt,
        @Nullable ErrorInfo lastError,
        @Nullable Instant dueAt) {

    public JobDelivery {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(origin, "origin");
        attemptDurationsMs = List.copyOf(attemptDurationsMs);
    }

    /** A job read from the jobs topic at {@code source}. */
    public static JobDelivery fresh(PromptJob job, Coordinates source) {
        return new JobDelivery(job, source, source, -1, 0, List.of(), 0, 0, null, null, null, null);
    }

    /** A job read back from a retry tier at {@code source}. */
    public static JobDelivery retried(RetryJob retry, Coordinates source) {
        return new JobDelivery(retry.getJob(), source,
                new Coordinates(retry.getOriginTopic(), retry.getOriginPartition(), retry.getOriginOffset()),
                retry.getTier(), retry.getAttempts(), retry.getAttemptDurationsMs(),
                retry.getUsage().getPromptTokens(), retry.getUsage().getCompletionTokens(),
                retry.getFirstStartedAt(), retry.getFirstFailureAt(), retry.getLastError(), retry.getDueAt());
    }
}
