package io.promptq.worker.kafka.internal;

import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ApplicationRecoverableException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * Sorts producer failures into what the committers do about them: refused for good (the job's fallback output -
 * a dead letter, without the job's body if too large - is written instead), a system fault (kept, intake paused,
 * readiness red, retried with backoff), or transient (kept, retried).
 */
final class SendFailures {

    private SendFailures() {}

    /**
     * The broker (or the producer, by the same rule) refused this record for good: sending it again cannot work,
     * so its job's fallback output is written instead.
     */
    static boolean refused(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
                || t instanceof InvalidRecordException || t instanceof SerializationException;
    }

    /**
     * A fault of the system, not of the job: the producer is not allowed (ACL, credentials), cannot go on (closed,
     * broker too old, sequence lost). The output is kept and published again with backoff while intake pauses and
     * readiness is red; it resumes once a publish works. Fencing is not one: it has its own path
     * ({@link #fenced}).
     */
    static boolean systemFault(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof AuthorizationException || t instanceof AuthenticationException
                || fatal(t) && !(t instanceof ApplicationRecoverableException);
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
