package io.promptq.aggregator.deadletters;

import org.jspecify.annotations.Nullable;

/**
 * Which dead letters a page lists: each set field must match exactly; {@code since}/{@code until} bound the failure
 * time (epoch millis, inclusive) and cost nothing to scan, since the index is ordered by time.
 */
public record DeadLetterFilter(@Nullable String reason, @Nullable String model, @Nullable String tenant,
        @Nullable Long since, @Nullable Long until) {

    /** Every dead letter. */
    public static DeadLetterFilter all() {
        return new DeadLetterFilter(null, null, null, null, null);
    }

    /** Whether {@code summary} passes the field filters (the time bounds are applied by the scan range). */
    public boolean matches(DeadLetterSummary summary) {
        return (reason == null || reason.equals(summary.reason()))
                && (model == null || model.equals(summary.model()))
                && (tenant == null || tenant.equals(summary.tenant()));
    }
}
