package io.promptq.client;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A job was not published. {@link #reason()} tells callers what to do about it; only
 * {@link Reason#UNAVAILABLE} is worth retrying unchanged ({@link #retriable()}). A future returned by
 * {@link PromptqClient#submit} completes exceptionally with one of these (or {@link InvalidJobException}),
 * and never with a receipt for a job that was not written.
 */
public class SubmitException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why a submission failed. */
    public enum Reason {
        /** The request broke a validation rule; see {@link InvalidJobException#violations()}. */
        INVALID,
        /** Too large for the broker ({@code max.request.size} / {@code message.max.bytes}). */
        TOO_LARGE,
        /**
         * Kafka or the schema registry could not be reached, or did not acknowledge within the send timeout,
         * or the producer's buffer stayed full. The job may be retried later; with an idempotency key the
         * retry names the same job.
         */
        UNAVAILABLE,
        /**
         * The idempotency key was already used, within the idempotency window, for a job with another payload; see
         * {@link IdempotencyConflictException}. Nothing was written.
         */
        CONFLICT,
        /**
         * The record left for the broker but no answer says whether it was written (no acknowledgement within the
         * send timeout, {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND}, a disconnect while it was in flight). The job may
         * exist: retry only with the same idempotency key ({@link #jobId()} names the job), so the retry cannot make
         * a second job. The client library reports it only after its own retries
         * ({@link ClientConfig#outcomeUnknownRetries()}) were all ambiguous.
         */
        OUTCOME_UNKNOWN,
        /** Any other failure (e.g. the registry refused the schema, or the client is closed). */
        FAILED
    }

    private final Reason reason;
    private final @Nullable String jobId;

    public SubmitException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    /** As the other constructor, naming the job the submission was for. */
    public SubmitException(Reason reason, String message, Throwable cause, @Nullable String jobId) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.jobId = jobId;
    }

    /** The id of the job the submission was for, when known (always for {@link Reason#OUTCOME_UNKNOWN}). */
    public @Nullable String jobId() {
        return jobId;
    }

    public Reason reason() {
        return reason;
    }

    /** Whether the same request may succeed if submitted again later. */
    public boolean retriable() {
        return reason == Reason.UNAVAILABLE;
    }
}
