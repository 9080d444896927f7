package io.promptq.llm.internal;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a provider asks us to wait: {@code retry-after-ms} (OpenAI's millisecond variant) first,
 * then {@code Retry-After} as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3). Unparseable values
 * are ignored; a date in the past means zero.
 */
public final class RetryAfter {

    private RetryAfter() {}

    public static Optional<Duration> from(HttpHeaders headers, Instant now) {
        Optional<Duration> millis = headers.firstValue("retry-after-ms").flatMap(RetryAfter::parseMillis);
        if (millis.isPresent()) {
            return millis;
        }
        return headers.firstValue("retry-after").flatMap(value -> parse(value, now));
    }

    /** Parses a {@code Retry-After} value: seconds (decimals tolerated) or an HTTP-date. */
    public static Optional<Duration> parse(String value, Instant now) {
        String text = value.trim();
        try {
            double seconds = Double.parseDouble(text);
            if (seconds >= 0 && Double.isFinite(seconds)) {
                return Optional.of(Duration.ofMillis(Math.round(seconds * 1000)));
            }
            return Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Optional<Duration> parseMillis(String value) {
        try {
            double millis = Double.parseDouble(value.trim());
            return millis >= 0 && Double.isFinite(millis) ? Optional.of(Duration.ofNanos(Math.round(millis * 1_000_000))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
