package io.promptq.client;

import org.jspecify.annotations.Nullable;

/**
 * The answer to {@link PromptqClient#cancel(String)}.
 *
 * @param cancelRequested true if a cancel request was written (the job was not terminal); false if the job had
 *     already ended and nothing was written
 * @param state the job's state: its terminal state when nothing was written; otherwise its state right after the
 *     request (a cancel takes effect asynchronously, so usually still QUEUED, RUNNING or RETRYING; the job ends
 *     {@code CANCELLED}), null if the job's view is not known yet
 */
public record CancelOutcome(String jobId, boolean cancelRequested, @Nullable String state) {}
