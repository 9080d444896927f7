package io.promptq.aggregator.internal.query;

import io.javalin.http.Context;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.config.Durations;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import io.promptq.schema.JobState;
import io.promptq.http.ViewVersion;
import io.promptq.schema.StatsScope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Parses and checks query parameters; a bad one is a 400 problem naming the parameter. */
public final class QueryParams {

    /** The earliest instant a query accepts: window stores hold no timestamps before the epoch. */
    public static final Instant EARLIEST = Instant.EPOCH;

    /** The latest instant a query accepts (the last millisecond of year 9999), far from {@code long} overflow. */
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private QueryParams() {}

    /**
     * The first value of query parameter {@code name}, decoded strictly; null when absent. Javalin decodes
     * leniently (a malformed value reads as empty, a malformed name vanishes), so a typo would silently widen a
     * query: here any malformed percent-escape or invalid UTF-8 in the query string is a 400 naming its parameter.
     */
    public static @Nullable String query(Context ctx, String name) {
        String queryString = ctx.queryString();
        if (queryString == null || queryString.isEmpty()) {
            return null;
        }
        String value = null;
        for (String pair : queryString.split("&")) {
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String decodedName = decode(rawName, rawName);
            String decodedValue = decode(eq < 0 ? "" : pair.substring(eq + 1), decodedName);
            if (value == null && decodedName.equals(name)) {
                value = decodedValue;
            }
        }
        return value;
    }

    private static String decode(String raw, String field) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length() || !HexFormat.isHexDigit(raw.charAt(i + 1))
                        || !HexFormat.isHexDigit(raw.charAt(i + 2))) {
                    throw badRequest(field, "malformed percent-encoding at index " + i + " of '" + raw + "'");
                }
                bytes.write(HexFormat.fromHexDigits(raw, i + 1, i + 3));
                i += 2;
            } else if (c == '+') {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw badRequest(field, "percent-encoding of '" + raw + "' is not valid UTF-8");
        }
    }

    /** A scope key ({@code overall}, {@code model:<m>}, {@code tenant:<t>}); {@code fallback} when absent. */
    public static StatsKey scope(String field, @Nullable String raw, StatsKey fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return StatsKey.parse(raw.trim());
        } catch (IllegalArgumentException e) {
            throw badRequest(field, e.getMessage());
        }
    }

    /** A window scope: overall or a model (tenants have only all-time totals). */
    public static StatsKey windowScope(String field, @Nullable String raw) {
        StatsKey key = scope(field, raw, StatsKey.overall());
        if (key.scope() == StatsScope.TENANT) {
            throw badRequest(field, "windows are kept for 'overall' and 'model:<name>' only; tenants have all-time "
                    + "totals at /v1/stats/totals/tenant/{tenant}");
        }
        return key;
    }

    /** A scope type filter: {@code overall}, {@code model} or {@code tenant}; null when absent. */
    public static @Nullable StatsScope scopeType(String field, @Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        try {
            return StatsScope.valueOf(raw.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw badRequest(field, "must be one of overall, model, tenant, but was '" + raw + "'");
        }
    }

    /**
     * An instant given as ISO-8601 ({@code 2026-11-22T16:00:00Z}) or epoch milliseconds, between {@link #EARLIEST}
     * and {@link #LATEST}; {@code fallback} when absent.
     */
    public static Instant instant(String field, @Nullable String raw, Instant fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        String text = raw.trim();
        Instant instant;
        try {
            instant = text.chars().allMatch(Character::isDigit)
                    ? Instant.ofEpochMilli(Long.parseLong(text))
                    : Instant.parse(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw badRequest(field, "must be an ISO-8601 instant such as 2026-11-22T16:00:00Z or epoch milliseconds, "
                    + "but was '" + raw + "'");
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw badRequest(field, "must be between " + EARLIEST + " and " + LATEST + " (epoch ms 0 to "
                    + LATEST.toEpochMilli() + "), but was '" + raw + "'");
        }
        return instant;
    }

    /** A duration such as {@code 30s}, {@code 1500ms} or {@code PT1M}; {@code fallback} when absent. */
    public static Duration duration(String field, @Nullable String raw, Duration fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Durations.parse(raw);
        } catch (IllegalArgumentException e) {
            throw badRequest(field, e.getMessage() + ", but was '" + raw + "'");
        }
    }

    /** A job view version (a non-negative integer, {@link ViewVersion}); null when absent. */
    public static @Nullable Long version(String field, @Nullable String raw) {
        try {
            return ViewVersion.parse(raw);
        } catch (IllegalArgumentException e) {
            throw badRequest(field, e.getMessage());
        }
    }

    /** Job state names, comma-separated (any case); empty when absent. */
    public static Set<String> jobStates(String field, @Nullable String raw) {
        if (raw == null || raw.isBlank()) {
            return Set.of();
        }
        Set<String> states = new TreeSet<>();
        for (String part : raw.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            try {
                states.add(JobState.valueOf(name).name());
            } catch (IllegalArgumentException e) {
                throw badRequest(field, "must be job states, comma-separated, of " + Arrays.toString(JobState.values())
                        + ", but was '" + raw + "'");
            }
        }
        return states;
    }

    /**
     * The earliest listing time of a job query: an instant (as {@link #instant}) or a duration back from {@code now}
     * such as {@code 1h}; {@link #EARLIEST} when absent.
     */
    public static Instant since(String field, @Nullable String raw, Instant now) {
        if (raw == null || raw.isBlank()) {
            return EARLIEST;
        }
        String text = raw.trim();
        if (text.startsWith("P") || text.startsWith("p")
                || (!text.chars().allMatch(Character::isDigit) && !text.contains("T"))) {
            Duration back = duration(field, text, Duration.ZERO);
            Instant since = now.minus(back);
            return since.isBefore(EARLIEST) ? EARLIEST : since;
        }
        return instant(field, text, EARLIEST);
    }

    /** A page size in [1, {@code max}]; {@code fallback} when absent. */
    public static int limit(String field, @Nullable String raw, int fallback, int max) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(raw.trim());
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badRequest(field, "must be an integer from 1 to " + max + ", but was '" + raw + "'");
    }

    /** A 400 problem about one parameter. */
    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", field + ": " + detail).with("field", field));
    }
}
