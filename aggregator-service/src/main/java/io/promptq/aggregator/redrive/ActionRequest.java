package io.promptq.aggregator.redrive;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a redrive or purge acts on: the dead letters named by id ({@code <partition>-<offset>} of the dead-letter
 * topic), or every one matching {@link Filter}; at most {@code rate} per second (capped by {@code
 * PROMPTQ_CONSOLE_REDRIVE_RATE}); a dry run only counts.
 */
public record ActionRequest(List<String> ids, @Nullable Filter filter, @Nullable Integer rate, boolean dryRun) {

    public ActionRequest {
        ids = List.copyOf(ids);
        if (ids.isEmpty() == (filter == null)) {
            throw new IllegalArgumentException("give either ids or a filter");
        }
        if (rate != null && rate < 1) {
            throw new IllegalArgumentException("rate must be at least 1, but was " + rate);
        }
    }

    /**
     * Matches a dead letter: each given field must equal (reason: its error class, case-insensitive), and its last
     * failure must be within [since, until) (epoch millis).
     */
    public record Filter(@Nullable String reason, @Nullable String model, @Nullable String tenant,
            @Nullable Long since, @Nullable Long until) {

        /** Whether a dead letter with these fields matches; model and tenant are null for an undecodable one. */
        public boolean matches(String errorType, @Nullable String jobModel, @Nullable String jobTenant,
                long lastFailureAt) {
            return (reason == null || reason.equalsIgnoreCase(errorType))
                    && (model == null || Objects.equals(model, jobModel))
                    && (tenant == null || Objects.equals(tenant, jobTenant))
                    && (since == null || lastFailureAt >= since)
                    && (until == null || lastFailureAt < until);
        }
    }
}
