package io.promptq.worker.processing;

import io.promptq.worker.retry.RetryDecision.GiveUpReason;

/** Why a record went to the dead-letter topic. Written as a header and used as a metric tag. */
public enum DeadLetterReason {
    /** The provider classified the failure as permanent (attempts = 1 for a fresh job). */
    PERMANENT_ERROR,
    /** The attempt budget is spent. */
    MAX_ATTEMPTS,
    /** The record could not be decoded (garbage bytes, unknown schema id, no value); raw bytes kept. */
    UNDECODABLE,
    /** The job's outcome could not be published (e.g. the result is larger than the broker accepts). */
    PUBLISH_FAILED,
    /**
     * The job was started too often without an outcome: its attempts keep dying with their worker (e.g. out of
     * memory on a huge response), so it is given up without calling the provider again.
     */
    CRASH_LOOP,
    /**
     * The worker could not turn the job's outcome into its output records (a bug, or a foreign record it cannot
     * represent, e.g. a timestamp whose arithmetic overflows): given up rather than calling the provider again.
     * The dead letter's message carries the exception.
     */
    INTERNAL_ERROR,
    /**
     * The job broke a rule the producer checks (e.g. an empty or over-long job id) - written by a foreign
     * producer: dead-lettered without calling the provider, with the rule in the message.
     */
    INVALID_JOB;

    public static DeadLetterReason of(GiveUpReason reason) {
        return switch (reason) {
            case PERMANENT_ERROR -> PERMANENT_ERROR;
            case MAX_ATTEMPTS -> MAX_ATTEMPTS;
        };
    }
}
