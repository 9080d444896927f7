package io.promptq.llm;

import java.time.Instant;
import java.util.Objects;

/**
 * The call was not attempted because its model cannot be served now: the model's circuit breaker is open, or the
 * provider answered 401/403/404 for it (a fault of the system - credentials, base URL or model mapping - not of the
 * job). Not an attempt: the caller should park the job until {@link #retryAt()} instead of failing or waiting.
 */
public final class ModelUnavailableException extends RuntimeException {

    private final String model;
    private final Instant retryAt;

    public ModelUnavailableException(String model, Instant retryAt, String message, Throwable cause) {
        super(message, cause, false, false);
        this.model = Objects.requireNonNull(model, "model");
        this.retryAt = Objects.requireNonNull(retryAt, "retryAt");
    }

    /** The job's model. */
    public String model() {
        return model;
    }

    /** When the model may next be tried (the breaker's half-open time, or the end of the fault backoff). */
    public Instant retryAt() {
        return retryAt;
    }
}
