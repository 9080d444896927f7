package io.promptq.aggregator.deadletters.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.deadletters.DeadLetterCounts;
import io.promptq.aggregator.deadletters.DeadLetterPage;
import io.promptq.aggregator.deadletters.DeadLetterSummary;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IndexQueriesMergeTest {

    private static DeadLetterSummary at(int partition, long offset, long at) {
        return new DeadLetterSummary(DeadLetterSummary.id(partition, offset), "j", null, null, "R", "m", 1, at, true, null);
    }

    private static String cursorOf(DeadLetterSummary s) {
        return IndexKeys.cursor(IndexKeys.of(s.at(), s.partition(), s.offset()));
    }

    private static DeadLetterPage page(List<DeadLetterSummary> items, String next, long scanned, long reasonCount) {
        return new DeadLetterPage(items, next, scanned, new DeadLetterCounts(Map.of("R", reasonCount), Map.of(), Map.of()));
    }

    @Test
    void aMergedPageStopsWhereTheEarliestInstanceStoppedSoTheNextCursorSkipsNothing() {
        // instance A stopped its scan at t=800; instance B scanned to its end and found older ones
        DeadLetterSummary a1 = at(0, 1, 900);
        DeadLetterSummary stopA = at(0, 2, 800);
        DeadLetterSummary b1 = at(1, 1, 850);
        DeadLetterSummary b2 = at(1, 2, 100);
        DeadLetterPage merged = IndexQueries.merge(List.of(
                page(List.of(a1), cursorOf(stopA), 50, 10),
                page(List.of(b1, b2), null, 30, 5)), 10);

        assertThat(merged.items()).containsExactly(a1, b1);
        assertThat(merged.nextCursor()).isEqualTo(cursorOf(stopA));
        assertThat(merged.scanned()).isEqualTo(80);
        assertThat(merged.counts().byReason()).containsEntry("R", 15L);
    }

    @Test
    void aFullMergedPageContinuesAfterItsLastItem() {
        DeadLetterSummary a1 = at(0, 1, 900);
        DeadLetterSummary b1 = at(1, 1, 850);
        DeadLetterSummary a2 = at(0, 2, 800);
        DeadLetterPage merged = IndexQueries.merge(List.of(
                page(List.of(a1, a2), cursorOf(a2), 2, 2),
                page(List.of(b1), null, 1, 1)), 2);

        assertThat(merged.items()).containsExactly(a1, b1);
        assertThat(merged.nextCursor()).isEqualTo(cursorOf(b1));
    }

    @Test
    void whenEveryInstanceIsExhaustedThereIsNoNextCursor() {
        DeadLetterPage merged = IndexQueries.merge(List.of(page(List.of(at(0, 1, 5)), null, 1, 1),
                page(List.of(), null, 0, 0)), 10);

        assertThat(merged.items()).hasSize(1);
        assertThat(merged.nextCursor()).isNull();
    }
}
