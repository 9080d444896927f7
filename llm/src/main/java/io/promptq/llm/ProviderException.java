package io.promptq.llm;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/** A classified provider failure. Messages never contain credentials. */
public class ProviderException extends RuntimeException {

    private final ErrorClass errorClass;
    private final Integer httpStatus;
    private final Duration retryAfter;

    public ProviderException(ErrorClass errorClass, String message) {
        this(errorClass, message, null, null, null);
    }

    public ProviderException(ErrorClass errorClass, String message, Integer httpStatus, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    public boolean retryable() {
        return errorClass.retryable();
    }

    public OptionalInt httpStatus() {
        return httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /**
     * Whether the answer is a fault of the system rather than of the job: 401/403 (credentials) or 404 (wrong base
     * URL or model mapping). Such a model is paused, not its jobs dead-lettered; 400/422 stay job faults.
     */
    public boolean configurationFault() {
        return errorClass == ErrorClass.AUTHENTICATION
                || (errorClass == ErrorClass.INVALID_REQUEST && httpStatus != null && httpStatus == 404);
    }

    /** The provider's Retry-After, a floor for the next attempt's delay. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
