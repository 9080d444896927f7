package io.promptq.worker.internal;

/** Records could not be published for a reason that retrying will not fix (e.g. a record too large). */
final class PublishException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
