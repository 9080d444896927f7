package io.promptq.aggregator;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of {@code GET /v1/jobs}: a tenant's jobs newest first, and the cursor of the next page.
 *
 * @param jobs the jobs of this page, newest first
 * @param nextCursor pass as {@code cursor} for the next page; null on the last page
 */
public record JobPage(List<JobSummary> jobs, @Nullable String nextCursor) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
