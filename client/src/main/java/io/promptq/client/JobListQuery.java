package io.promptq.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What {@link PromptqClient#list(JobListQuery)} asks for: the parameters of {@code GET /v1/jobs}, each optional
 * ({@link #all()} is the first page of every retained job of the token's tenant).
 *
 * @param tenant whose jobs (required by a producer without authentication; with it, the token's tenant)
 * @param status job states, comma-separated ({@code QUEUED,RUNNING})
 * @param since an ISO-8601 instant or a duration back from now ({@code 1h})
 * @param cursor the previous page's {@link JobPage#nextCursor()}
 * @param limit jobs per page (the producer's default 50, at most 500)
 */
public record JobListQuery(@Nullable String tenant, @Nullable String status, @Nullable String since,
        @Nullable String cursor, @Nullable Integer limit) {

    /** No filter: the newest jobs. */
    public static JobListQuery all() {
        return new JobListQuery(null, null, null, null, null);
    }

    public JobListQuery tenant(@Nullable String value) {
        return new JobListQuery(value, status, since, cursor, limit);
    }

    public JobListQuery status(@Nullable String value) {
        return new JobListQuery(tenant, value, since, cursor, limit);
    }

    public JobListQuery since(@Nullable String value) {
        return new JobListQuery(tenant, status, value, cursor, limit);
    }

    public JobListQuery cursor(@Nullable String value) {
        return new JobListQuery(tenant, status, since, value, limit);
    }

    public JobListQuery limit(@Nullable Integer value) {
        return new JobListQuery(tenant, status, since, cursor, value);
    }

    /** The query string, without {@code ?}; empty without parameters. */
    public String queryString() {
        StringBuilder query = new StringBuilder();
        append(query, "tenant", tenant);
        append(query, "status", status);
        append(query, "since", since);
        append(query, "cursor", cursor);
        append(query, "limit", limit == null ? null : limit.toString());
        return query.toString();
    }

    private static void append(StringBuilder query, String name, @Nullable String value) {
        if (value != null) {
            query.append(query.isEmpty() ? "" : "&").append(name).append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }
}
