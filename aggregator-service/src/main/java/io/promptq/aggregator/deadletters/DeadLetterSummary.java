package io.promptq.aggregator.deadletters;

import org.jspecify.annotations.Nullable;

/**
 * What the console lists of one dead letter: small (no prompt text, no raw bytes), so a million of them fit the
 * index.
 *
 * @param id {@code <partition>-<offset>} of the record in the dead-letter topic
 * @param jobId the job's id (for an undecodable record, its key as text), null if unknown
 * @param tenant the job's tenant, null when the job could not be decoded
 * @param model the job's model, null when the job could not be decoded
 * @param reason the error type of the last failure
 * @param message the error message, cut to {@link #MAX_MESSAGE} characters
 * @param attempts provider attempts made (0 for an undecodable record)
 * @param at when the job last failed, epoch millis
 * @param decodable whether the dead letter holds the decoded job (false: only raw bytes)
 * @param mark REDRIVEN or PURGED once an operator acted on it; null otherwise
 */
public record DeadLetterSummary(String id, @Nullable String jobId, @Nullable String tenant, @Nullable String model,
        String reason, String message, int attempts, long at, boolean decodable, @Nullable String mark) {

    /** The longest message a summary keeps. */
    public static final int MAX_MESSAGE = 300;

    /** The partition of {@link #id()}. */
    public int partition() {
        return Integer.parseInt(id.substring(0, id.indexOf('-')));
    }

    /** The offset of {@link #id()}. */
    public long offset() {
        return Long.parseLong(id.substring(id.indexOf('-') + 1));
    }

    /** This summary with {@code mark} (REDRIVEN or PURGED). */
    public DeadLetterSummary withMark(@Nullable String mark) {
        return new DeadLetterSummary(id, jobId, tenant, model, reason, message, attempts, at, decodable, mark);
    }

    /** The id of the record at {@code partition} and {@code offset}. */
    public static String id(int partition, long offset) {
        return partition + "-" + offset;
    }
}
