package io.promptq.client;

import java.util.Objects;

/**
 * One reason a {@link JobRequest} was refused.
 *
 * @param field the offending field as a JSON path of the HTTP request body, e.g. {@code temperature} or
 *     {@code messages[2].role}
 * @param message what is wrong, naming the bad value where that helps
 */
public record Violation(String field, String message) {

    public Violation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
