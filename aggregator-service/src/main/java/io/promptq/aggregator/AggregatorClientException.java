package io.promptq.aggregator;

/**
 * The aggregator's query API could not be reached or refused a request. {@link #status()} is the HTTP status
 * (0 when there was no answer); the message carries the problem detail.
 */
public class AggregatorClientException extends RuntimeException {

    private final int status;

    public AggregatorClientException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** HTTP status of the answer, 0 if there was none. */
    public int status() {
        return status;
    }

    /** Whether retrying later may succeed (no answer, or 503 while the aggregator starts or rebalances). */
    public boolean isRetriable() {
        return status == 0 || status == 503 || status == 502 || status == 504;
    }
}
