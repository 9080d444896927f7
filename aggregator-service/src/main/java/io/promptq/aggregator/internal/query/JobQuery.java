package io.promptq.aggregator.internal.query;

import io.promptq.aggregator.JobSummary;
import io.promptq.aggregator.internal.view.JobIndex;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One {@code GET /v1/jobs} query: a tenant's jobs listed at or after {@code sinceMillis}, in the given states (all
 * when empty), after the cursor's position, at most {@code limit}. The cursor is the {@link JobIndex} position of the
 * last job of the previous page (base64url): the order (newest first, then job id) is total and a job's position
 * never changes, so one position resumes the scan on every partition of every instance, whatever moved between pages.
 *
 * @param after the position to continue after; null: from the newest job
 */
public record JobQuery(String tenant, Set<String> states, long sinceMillis, byte @Nullable [] after, int limit) {

    /** Jobs per page without {@code limit}. */
    public static final int DEFAULT_LIMIT = 50;
    /** Most jobs per page. */
    public static final int MAX_LIMIT = 500;

    /** Newest first, then by job id: the index order. */
    static final Comparator<JobSummary> NEWEST_FIRST = (a, b) -> Arrays.compareUnsigned(position(a), position(b));

    public JobQuery {
        states = Set.copyOf(states);
    }

    /** Whether a job in {@code state} belongs on the page. */
    public boolean accepts(String state) {
        return states.isEmpty() || states.contains(state);
    }

    /** The cursor of a page ending with {@code last}. */
    static String cursor(JobSummary last) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(position(last));
    }

    /** The cursor as a query parameter value, null without one. */
    @Nullable String cursor() {
        return after == null ? null : Base64.getUrlEncoder().withoutPadding().encodeToString(after);
    }

    /** The position a cursor names; a 400 naming {@code cursor} when it is not one. */
    static byte @Nullable [] position(@Nullable String cursor) {
        if (cursor == null || cursor.isBlank()) {
            return null;
        }
        try {
            byte[] position = Base64.getUrlDecoder().decode(cursor.trim());
            if (position.length > 8) {
                return position;
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw QueryParams.badRequest("cursor", "is not a cursor of this API (pass a page's nextCursor as is), but was '"
                + cursor + "'");
    }

    static byte[] position(JobSummary job) {
        long listedAt = job.submittedAt() == null ? 0 : Instant.parse(job.submittedAt()).toEpochMilli();
        return JobIndex.position(listedAt, job.jobId());
    }
}
