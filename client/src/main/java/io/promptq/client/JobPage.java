package io.promptq.client;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A page of a tenant's jobs as the producer answers {@code GET /v1/jobs} (see the README's "Job status"), newest
 * first. Timestamps are ISO-8601.
 *
 * @param nextCursor pass to {@link JobListQuery#cursor(String)} for the next page; null on the last page
 */
public record JobPage(List<Job> jobs, @Nullable String nextCursor) {

    public JobPage {
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
    }

    /** One job: its current state, without history or output ({@link PromptqClient#status} has those). */
    public record Job(String jobId, @Nullable String tenant, String state, long version, @Nullable String model,
            @Nullable String submittedAt, @Nullable String updatedAt, @Nullable String completedAt) {}
}
