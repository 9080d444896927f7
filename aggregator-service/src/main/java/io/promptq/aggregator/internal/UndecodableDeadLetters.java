package io.promptq.aggregator.internal;

import io.promptq.schema.DeadLetter;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Recognises the dead letters of records the workers could not decode: no job, no provider attempt, and one of
 * the undecodable error types the worker writes ({@code UNKNOWN_SCHEMA_ID}, {@code UNKNOWN_MAGIC_BYTE},
 * {@code DESERIALIZATION}). The worker publishes no result for these, so the aggregator counts them from the
 * dead-letter topic; every other dead letter has a {@code DEAD_LETTERED} result, counted from the results topic.
 */
public final class UndecodableDeadLetters {

    /** The {@code errorType}s of the dead letter of an undecodable record. */
    public static final Set<String> ERROR_TYPES = Set.of("UNKNOWN_SCHEMA_ID", "UNKNOWN_MAGIC_BYTE", "DESERIALIZATION");

    private UndecodableDeadLetters() {}

    /** Whether {@code deadLetter} is that of a record the worker could not decode. */
    public static boolean isUndecodable(@Nullable DeadLetter deadLetter) {
        return deadLetter != null && deadLetter.getJob() == null && deadLetter.getAttempts() == 0
                && deadLetter.getErrorType() != null && ERROR_TYPES.contains(deadLetter.getErrorType());
    }
}
