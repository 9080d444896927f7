package io.promptq.client;

/**
 * A job status query that could not be answered: no status API configured, the job unknown (or another tenant's),
 * not terminal within the timeout, or the producer unreachable or refusing ({@link #status()} is its HTTP status, 0 if
 * none).
 */
public final class JobStatusException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final int status;

    public JobStatusException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The producer's HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
