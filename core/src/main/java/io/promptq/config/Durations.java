package io.promptq.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one short duration syntax of promptq, for configuration values, latency specs and messages: {@code 250ms},
 * {@code 1.5s}, {@code 2m}, {@code 1h}, {@code 7d}, a bare number of milliseconds, or ISO-8601 ({@code PT5S}).
 * {@link #format} prints the form {@link #parse} reads back.
 */
public final class Durations {

    /** What a duration must look like (used in error messages). */
    public static final String EXPECTED_FORM = "must be a duration such as 500ms, 5s, 2m or PT5S";

    private static final Pattern SHORT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long[] UNIT_NANOS = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L};
    private static final String[] UNIT_NAMES = {"d", "h", "m", "s"};

    private Durations() {}

    /**
     * Reads a duration; fractions are kept to the nanosecond ({@code 0.5ms} is 500 microseconds).
     *
     * @throws IllegalArgumentException if {@code text} is not a duration; the message is {@link #EXPECTED_FORM}
     */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
            try {
                return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(EXPECTED_FORM, e);
            }
        }
        Matcher m = SHORT.matcher(trimmed.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(EXPECTED_FORM);
        }
        long unitNanos = switch (m.group(2) == null ? "ms" : m.group(2)) {
            case "ms" -> NANOS_PER_MILLI;
            case "s" -> UNIT_NANOS[3];
            case "m" -> UNIT_NANOS[2];
            case "h" -> UNIT_NANOS[1];
            default -> UNIT_NANOS[0];
        };
        try {
            return Duration.ofNanos(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos))
                    .setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(EXPECTED_FORM, e);
        }
    }

    /**
     * The shortest exact form in the largest whole unit: {@code 7d}, {@code 1h}, {@code 5m}, {@code 30s},
     * {@code 1500ms}, {@code 0.5ms}; zero is {@code 0s}.
     */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        if (d.isZero()) {
            return "0s";
        }
        long seconds = d.getSeconds();
        int nanos = d.getNano();
        if (nanos == 0) {
            for (int i = 0; i < UNIT_NAMES.length; i++) {
                long unitSeconds = UNIT_NANOS[i] / 1_000_000_000L;
                if (seconds % unitSeconds == 0) {
                    return seconds / unitSeconds + UNIT_NAMES[i];
                }
            }
        }
        BigDecimal millis = BigDecimal.valueOf(seconds).multiply(BigDecimal.valueOf(1000))
                .add(BigDecimal.valueOf(nanos).movePointLeft(6));
        return millis.stripTrailingZeros().toPlainString() + "ms";
    }
}
