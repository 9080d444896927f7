package io.promptq.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.JobStatsView;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTableTest {

    private static final JobStatsView.Latency NO_LATENCY = new JobStatsView.Latency(0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static JobStatsView row(String key, long total, long succeeded, long undecodable) {
        return new JobStatsView(key, "OVERALL", "", null, null, total, succeeded, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                NO_LATENCY, NO_LATENCY, "2026-12-01T00:00:00Z", undecodable);
    }

    @Test
    void undecodableRecordsAreNamedBelowTheTotalsOnlyWhenThereAreAny() {
        assertThat(StatsTable.undecodableLine(List.of(row("overall", 5, 5, 0)))).isEmpty();

        assertThat(StatsTable.undecodableLine(List.of(row("model:m", 3, 3, 0), row("overall", 5, 5, 2))))
                .contains("undecodable").endsWith(": 2");
    }

    @Test
    void rowsShowTheirCountsInColumns() {
        String table = StatsTable.render(List.of(row("overall", 12, 10, 0)), JobStatsView::key);

        assertThat(table.lines().toList()).hasSize(2);
        assertThat(table.lines().toList().get(1)).startsWith("  overall").contains(" 12 ").contains(" 10 ");
    }
}
