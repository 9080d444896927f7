package io.promptq.aggregator.deadletters;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One page of dead letters, newest first.
 *
 * @param items the matching dead letters, at most the page's limit
 * @param nextCursor where the next page continues (every summary up to it was examined), even when this page is not
 *     full because the scan hit its bound; null when nothing is left
 * @param scanned how many summaries this request examined
 * @param counts totals of the whole index
 */
public record DeadLetterPage(List<DeadLetterSummary> items, @Nullable String nextCursor, long scanned,
        DeadLetterCounts counts) {

    public DeadLetterPage {
        items = List.copyOf(items);
    }
}
