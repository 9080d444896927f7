package io.promptq.aggregator.internal.query;

import io.promptq.aggregator.JobStatsView;
import java.util.List;

/**
 * Body of {@code GET /v1/stats/totals/all}: every all-time aggregate, sorted by key.
 *
 * @param totals the aggregates
 */
public record TotalsList(List<JobStatsView> totals) {

    public TotalsList {
        totals = List.copyOf(totals);
    }
}
