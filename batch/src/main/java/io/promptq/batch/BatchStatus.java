package io.promptq.batch;

import java.util.Locale;

/** A batch's status, as the OpenAI Batch API names them ({@link #apiName()}). */
public enum BatchStatus {
    VALIDATING, FAILED, IN_PROGRESS, FINALIZING, COMPLETED, EXPIRED, CANCELLING, CANCELLED;

    /** The name in the API: {@code in_progress}, … */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the batch has ended: nothing about it changes any more. */
    public boolean terminal() {
        return this == FAILED || this == COMPLETED || this == EXPIRED || this == CANCELLED;
    }

    /** Whether a cancel request still changes the batch. */
    public boolean cancellable() {
        return this == VALIDATING || this == IN_PROGRESS;
    }

    /** The status named {@code apiName} in the API. */
    public static BatchStatus fromApiName(String apiName) {
        return valueOf(apiName.toUpperCase(Locale.ROOT));
    }
}
