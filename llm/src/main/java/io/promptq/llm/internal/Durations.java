package io.promptq.llm.internal;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and printing of the short duration syntax used inside latency specs ({@code 250ms}, {@code 2s}, {@code 1m}). */
public final class Durations {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m)?");

    private Durations() {}

    /** Parses {@code 250ms}, {@code 1.5s}, {@code 2m} or a bare number of milliseconds. */
    public static Duration duration(String raw) {
        Matcher m = DURATION.matcher(raw.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + raw.trim() + "' is not a duration such as 250ms, 2s or 1m");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double millis = switch (unit) {
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount;
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    public static void requireNonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + format(d));
        }
    }

    /** Short form: {@code 2s}, {@code 250ms}, {@code 0.5ms}. */
    public static String format(Duration d) {
        if (d.toNanos() % 1_000_000 != 0) {
            return (d.toNanos() / 1_000_000.0) + "ms";
        }
        long ms = d.toMillis();
        return ms != 0 && ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
