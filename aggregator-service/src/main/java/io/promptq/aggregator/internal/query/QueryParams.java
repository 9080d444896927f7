package io.promptq.aggregator.internal.query;

import io.promptq.aggregator.stats.StatsKey;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import io.promptq.schema.StatsScope;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Parses and checks query parameters; a bad one is a 400 problem naming the parameter. */
public final class QueryParams {

    private QueryParams() {}

    /** A scope key ({@code overall}, {@code model:<m>}, {@code tenant:<t>}); {@code fallback} when absent. */
    public static StatsKey scope(String field, String raw, StatsKey fallback) {
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
    public static StatsKey windowScope(String field, String raw) {
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

    /** An instant given as ISO-8601 ({@code 2026-11-22T16:00:00Z}) or epoch milliseconds; {@code fallback} when absent. */
    public static Instant instant(String field, String raw, Instant fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        String text = raw.trim();
        try {
            if (text.chars().allMatch(Character::isDigit)) {
                return Instant.ofEpochMilli(Long.parseLong(text));
            }
            return Instant.parse(text);
        } catch (NumberFormatException | DateTimeParseException e) {
            throw badRequest(field, "must be an ISO-8601 instant such as 2026-11-22T16:00:00Z or epoch milliseconds, "
                    + "but was '" + raw + "'");
        }
    }

    /** A 400 problem about one parameter. */
    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", field + ": " + detail).with("field", field));
    }
}
