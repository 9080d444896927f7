package io.promptq.worker.retry;

import java.time.Duration;
import java.time.Instant;

/** What {@link RetryPolicy} decided after a failed attempt. */
public sealed interface RetryDecision {

    /** Try again in this process after {@code delay}, still holding the job's permit (in-process retry). */
    record RetryLocally(Duration delay) implements RetryDecision {}

    /** Publish the job to retry tier {@code tier}; it must not run before {@code dueAt}. */
    record RetryOnTopic(int tier, Instant dueAt, Duration delay) implements RetryDecision {}

    /** Stop trying: the job is dead-lettered for {@code reason}. */
    record GiveUp(GiveUpReason reason) implements RetryDecision {}

    /** Why a job is not retried. */
    enum GiveUpReason {
        /** The provider classified the failure as permanent (bad request, bad credentials, unusable job). */
        PERMANENT_ERROR,
        /** The attempt budget ({@code PROMPTQ_WORKER_MAX_ATTEMPTS}) is spent. */
        MAX_ATTEMPTS
    }
}
