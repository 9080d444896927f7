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

    /** The provider's Retry-After, a floor for the next attempt's delay. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
