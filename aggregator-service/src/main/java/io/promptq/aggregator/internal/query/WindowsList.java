package io.promptq.aggregator.internal.query;

import io.promptq.aggregator.JobStatsView;
import java.util.List;

/**
 * Body of {@code GET /v1/stats/windows}: the windows of one scope that overlap [{@code from}, {@code to}],
 * oldest first.
 *
 * @param scope {@code overall} or {@code model:<name>}
 * @param from start of the range (ISO-8601)
 * @param to end of the range (ISO-8601)
 * @param windows the windowed aggregates
 */
public record WindowsList(String scope, String from, String to, List<JobStatsView> windows) {

    public WindowsList {
        windows = List.copyOf(windows);
    }
}
