package io.promptq.http;

import org.jspecify.annotations.Nullable;

/**
 * A job view's version as a client names it ({@code ?after=}, {@code Last-Event-ID}): a non-negative integer. One
 * parser for the producer and the aggregator, so both accept and refuse the same values; each maps the refusal to
 * its own 400 problem naming the parameter.
 */
public final class ViewVersion {

    private ViewVersion() {}

    /**
     * The version in {@code raw} (surrounding blanks ignored); null when absent or blank.
     *
     * @throws IllegalArgumentException when it is not an integer {@code >= 0}, with a message saying so
     */
    public static @Nullable Long parse(@Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            long version = Long.parseLong(raw.trim());
            if (version >= 0) {
                return version;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("must be a job view version (an integer >= 0), but was '" + raw + "'");
    }
}
