package io.promptq.aggregator;

/**
 * A query cannot be answered right now: Kafka Streams is not RUNNING (starting, rebalancing, restoring),
 * the key's owner is unknown, or the owning instance did not answer. Retrying shortly usually succeeds;
 * the HTTP API answers 503 with {@code Retry-After}.
 */
public class QueryUnavailableException extends RuntimeException {

    public QueryUnavailableException(String message) {
        super(message);
    }

    public QueryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
