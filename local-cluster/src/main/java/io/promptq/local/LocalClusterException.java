package io.promptq.local;

/**
 * Thrown when a local server (Kafka broker, schema registry) cannot be started, stopped or used.
 * The message says which server and why; start-up failures of the registry carry the tail of its log.
 */
public class LocalClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public LocalClusterException(String message) {
        super(message);
    }

    public LocalClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
