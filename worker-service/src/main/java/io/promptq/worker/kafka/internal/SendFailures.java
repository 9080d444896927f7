package io.promptq.worker.kafka.internal;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/** Sorts producer failures into what the committers do about them. */
final class SendFailures {

    private SendFailures() {}

    /**
     * The broker (or the producer, by the same rule) refused this record for good: sending it again cannot work,
     * so its job's fallback output is written instead.
     */
    static boolean refused(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException;
    }

    /**
     * The producer cannot go on (fenced by a newer incarnation, not authorized, broker too old, sequence lost):
     * it must be closed and a new one created; an abort is neither needed nor possible.
     */
    static boolean fatal(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof ApplicationRecoverableException || t instanceof AuthorizationException
                || t instanceof UnsupportedVersionException || t instanceof OutOfOrderSequenceException
                || t instanceof FencedInstanceIdException || t instanceof IllegalStateException;
    }

    /** Fenced: another producer with this transactional id, or this one's epoch is stale. */
    static boolean fenced(Throwable e) {
        return unwrap(e) instanceof ApplicationRecoverableException;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof ExecutionException || t.getClass() == KafkaException.class) && t.getCause() != null
                && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
