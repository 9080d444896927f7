package io.promptq.aggregator;

import org.jspecify.annotations.Nullable;

/**
 * One job in a page of {@code GET /v1/jobs}: its current state, without history or output (those are in its
 * {@link JobView}). Timestamps are ISO-8601 strings.
 *
 * @param state the current state, as in {@link JobView#state()}
 * @param version the rank of the current state, as in {@link JobView#version()}
 * @param model the model, once the job has its result (state changes do not carry it)
 * @param submittedAt when the job was listed: its first state change, or its result's submission time
 * @param updatedAt the time of the current state
 * @param completedAt when the job ended, once terminal
 */
public record JobSummary(
        String jobId,
        String tenant,
        String state,
        long version,
        @Nullable String model,
        @Nullable String submittedAt,
        @Nullable String updatedAt,
        @Nullable String completedAt) {}
