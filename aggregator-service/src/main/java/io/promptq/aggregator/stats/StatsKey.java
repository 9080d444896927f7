package io.promptq.aggregator.stats;

import io.promptq.schema.StatsScope;
import java.util.Locale;
import java.util.Objects;

/**
 * The scope an aggregate is kept for, and its key on the totals topic and in the stores: {@code overall},
 * {@code model:<name>} or {@code tenant:<name>}. Windowed aggregates add {@code @<windowStartMillis>} on the
 * windows topic.
 *
 * @param scope overall, one model or one tenant
 * @param value the model or tenant name; {@value #OVERALL_VALUE} for {@link StatsScope#OVERALL}
 */
public record StatsKey(StatsScope scope, String value) {

    /** The key of the all-jobs aggregate. */
    public static final String OVERALL_KEY = "overall";
    /** The {@code scopeValue} of the all-jobs aggregate. */
    public static final String OVERALL_VALUE = "*";

    private static final StatsKey OVERALL = new StatsKey(StatsScope.OVERALL, OVERALL_VALUE);

    public StatsKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(value, "value");
        if (scope == StatsScope.OVERALL && !value.equals(OVERALL_VALUE)) {
            throw new IllegalArgumentException("the overall scope has the value '*', but was '" + value + "'");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a " + scope + " scope needs a non-empty name");
        }
    }

    public static StatsKey overall() {
        return OVERALL;
    }

    public static StatsKey model(String model) {
        return new StatsKey(StatsScope.MODEL, model);
    }

    public static StatsKey tenant(String tenant) {
        return new StatsKey(StatsScope.TENANT, tenant);
    }

    /**
     * Parses {@code overall}, {@code model:<name>} or {@code tenant:<name>} (the prefix is case-insensitive;
     * the name is everything after the first colon).
     *
     * @throws IllegalArgumentException if {@code text} is none of these
     */
    public static StatsKey parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a scope must be 'overall', 'model:<name>' or 'tenant:<name>', but was empty");
        }
        if (text.equalsIgnoreCase(OVERALL_KEY)) {
            return OVERALL;
        }
        int colon = text.indexOf(':');
        if (colon > 0 && colon < text.length() - 1) {
            String prefix = text.substring(0, colon).toLowerCase(Locale.ROOT);
            String name = text.substring(colon + 1);
            if (prefix.equals("model")) {
                return model(name);
            }
            if (prefix.equals("tenant")) {
                return tenant(name);
            }
        }
        throw new IllegalArgumentException(
                "a scope must be 'overall', 'model:<name>' or 'tenant:<name>', but was '" + text + "'");
    }

    /** Whether {@code key} (a store or topic key) belongs to a tenant aggregate. */
    public static boolean isTenantKey(String key) {
        return key.startsWith("tenant:");
    }

    /** The key of this scope's window starting at {@code windowStartMillis}, as written to the windows topic. */
    public String windowKey(long windowStartMillis) {
        return this + "@" + windowStartMillis;
    }

    @Override
    public String toString() {
        return switch (scope) {
            case OVERALL -> OVERALL_KEY;
            case MODEL -> "model:" + value;
            case TENANT -> "tenant:" + value;
        };
    }
}
