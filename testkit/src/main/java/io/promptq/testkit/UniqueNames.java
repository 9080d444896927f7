package io.promptq.testkit;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Names no other test uses, for topics, subjects, consumer groups and application ids: tests share one cluster
 * per run (and a developer's cluster across runs), so each gets its own names instead of cleaning up.
 */
public final class UniqueNames {

    /** What Kafka accepts in a topic name (the base must also fit in 249 characters with the suffix). */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");
    private static final int MAX_BASE_LENGTH = 249 - 13;

    private UniqueNames() {
    }

    /**
     * {@code base} plus a random suffix: {@code of("registry-it")} gives e.g. {@code registry-it-3f09a1c25b7e}.
     *
     * @throws IllegalArgumentException if {@code base} is not a legal topic name or too long for one
     */
    public static String of(String base) {
        if (!LEGAL.matcher(base).matches() || base.length() > MAX_BASE_LENGTH) {
            throw new IllegalArgumentException("base must be 1-" + MAX_BASE_LENGTH
                    + " characters of [a-zA-Z0-9._-] (a legal Kafka topic name), but was '" + base + "'");
        }
        return base + "-" + suffix();
    }

    /** A random suffix of 12 hex digits (48 bits), for tests that derive several names from one. */
    public static String suffix() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
    }
}
