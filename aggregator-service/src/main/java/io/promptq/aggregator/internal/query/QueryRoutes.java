package io.promptq.aggregator.internal.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.aggregator.JobResultView;
import io.promptq.aggregator.JobView;
import io.promptq.aggregator.JobStatsView;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.http.BearerTokens;
import io.promptq.http.OpsServer;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import io.promptq.schema.StatsScope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The analysts' query API (JSON; errors as RFC 9457 problem+json):
 * <ul>
 *   <li>{@code GET /v1/stats/totals[?scope=overall|model:<m>|tenant:<t>]} – one all-time aggregate
 *       (overall by default; all zeros before the first result).</li>
 *   <li>{@code GET /v1/stats/totals/model/<model>}, {@code GET /v1/stats/totals/tenant/<tenant>} – the same, by path.</li>
 *   <li>{@code GET /v1/stats/totals/all[?scope=overall|model|tenant]} – every all-time aggregate of every instance.</li>
 *   <li>{@code GET /v1/stats/windows?scope=overall|model:<m>&from=..&to=..} – windows overlapping the range
 *       (ISO-8601 or epoch millis, from 1970 to the end of year 9999; default: the last hour).</li>
 *   <li>{@code GET /v1/jobs/{jobId}/result} – the job's first terminal result.</li>
 *   <li>{@code GET /v1/jobs/{jobId}[?wait=<duration>][&after=<version>]} – the job's {@link
 *       io.promptq.aggregator.JobView view}; with {@code wait}, held until the job is terminal (or, with
 *       {@code after}, until its version exceeds it), at most the configured maximum wait.</li>
 *   <li>{@code GET /v1/jobs?tenant=&status=&since=&cursor=&limit=} – a {@link io.promptq.aggregator.JobPage page} of
 *       a tenant's jobs, newest first (see {@link #jobs}).</li>
 * </ul>
 * 400 for bad parameters (including malformed percent-encoding anywhere in the query string), 404 for an
 * unknown scope or job, 503 (with {@code Retry-After}) while Kafka Streams is not RUNNING or the owning instance
 * cannot be reached.
 *
 * <p><b>Authentication.</b> With job tokens ({@code PROMPTQ_AGGREGATOR_AUTH_TOKENS}) every {@code /v1/jobs/...}
 * request needs one of them (else 401 with {@code WWW-Authenticate: Bearer}) and sees only its tenant's jobs: another
 * tenant's job answers the same 404 as an unknown one ({@link #requireReadable}), so ids leak nothing. With read tokens
 * ({@code PROMPTQ_AGGREGATOR_READ_TOKENS}) every {@code /v1/stats/...} request needs one of those. A query forwarded to
 * the instance owning the data carries the caller's {@code Authorization} ({@link Forwarder}), which that instance
 * checks again.
 */
public final class QueryRoutes {

    /** Range of a windows query without {@code from}. */
    public static final Duration DEFAULT_WINDOWS_RANGE = Duration.ofHours(1);

    /** Request attribute: the tenant of the caller's job token (absent while job tokens are off). */
    public static final String TENANT_ATTRIBUTE = "promptq.tenant";

    private final Supplier<InteractiveQueries> queries;
    private final Clock clock;
    private final BearerTokens jobTokens;
    private final BearerTokens readTokens;
    private final BearerTokens operatorTokens;

    /**
     * Routes without authentication.
     *
     * @param queries the query engine; may return null until Kafka Streams is created (then 503)
     */
    public QueryRoutes(Supplier<InteractiveQueries> queries, Clock clock) {
        this(queries, clock, BearerTokens.none(), BearerTokens.none());
    }

    /**
     * @param queries the query engine; may return null until Kafka Streams is created (then 503)
     * @param jobTokens tokens (token to tenant) that may read their tenant's jobs; none: job endpoints open
     * @param readTokens tokens that may read statistics; none: statistics open
     */
    public QueryRoutes(Supplier<InteractiveQueries> queries, Clock clock, BearerTokens jobTokens, BearerTokens readTokens) {
        this(queries, clock, jobTokens, readTokens, BearerTokens.none());
    }

    /**
     * As {@link #QueryRoutes(Supplier, Clock, BearerTokens, BearerTokens)}, and operators (the console's Jobs view) may
     * read every tenant's jobs.
     *
     * @param operatorTokens operators' tokens: with job tokens on, they read any tenant's job and list any tenant's
     *     jobs (naming it with {@code tenant=})
     */
    public QueryRoutes(Supplier<InteractiveQueries> queries, Clock clock, BearerTokens jobTokens, BearerTokens readTokens,
            BearerTokens operatorTokens) {
        this.operatorTokens = Objects.requireNonNull(operatorTokens, "operatorTokens");
        this.queries = queries;
        this.clock = clock;
        this.jobTokens = Objects.requireNonNull(jobTokens, "jobTokens");
        this.readTokens = Objects.requireNonNull(readTokens, "readTokens");
    }

    /**
     * Answers 404 (as for an unknown job) unless the caller may read a job of {@code tenant}: always while job tokens
     * are off, else only with a token of that tenant.
     *
     * @param notFound the answer for an unknown job
     */
    public static void requireReadable(Context ctx, String tenant, Problem notFound) {
        Object principal = ctx.attribute(TENANT_ATTRIBUTE);
        if (principal != null && !principal.equals(tenant)) {
            throw new ProblemException(notFound);
        }
    }

    /** Adds the routes and the 503 mapping to {@code app}. */
    public void register(Javalin app) {
        app.exception(QueryUnavailableException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            OpsServer.respond(ctx, Problem.of(503, "Service Unavailable", e.getMessage()));
        });
        app.before("/v1/*", ctx -> Forwarder.CALLER_AUTHORIZATION.set(ctx.header("Authorization")));
        app.before("/v1/jobs/*", this::authenticateJobReader);
        app.before("/v1/jobs", this::authenticateJobReader);
        app.before("/v1/batches/*", this::authenticateJobReader);
        app.before("/v1/batches", this::authenticateJobReader);
        app.before("/v1/stats/*", readTokens::authenticate);
        app.get("/v1/stats/totals", ctx -> totals(ctx, QueryParams.scope("scope", QueryParams.query(ctx, "scope"), StatsKey.overall())));
        app.get("/v1/stats/totals/all", this::allTotals);
        app.get("/v1/stats/totals/model/<model>", ctx -> totals(ctx, StatsKey.model(ctx.pathParam("model"))));
        app.get("/v1/stats/totals/tenant/<tenant>", ctx -> totals(ctx, StatsKey.tenant(ctx.pathParam("tenant"))));
        app.get("/v1/stats/windows", this::windows);
        app.get("/v1/jobs/{jobId}/result", this::jobResult);
        app.get("/v1/jobs/{jobId}", this::jobView);
        app.get("/v1/jobs", this::jobs);
    }

    /**
     * A job token limits the caller to its tenant's jobs (the tenant attribute); an operator's token reads every
     * tenant's (no attribute); anything else is 401 while job tokens are on.
     */
    private void authenticateJobReader(Context ctx) {
        if (jobTokens.enabled() && operatorTokens.enabled()) {
            Optional<String> token = BearerTokens.bearerToken(ctx.header("Authorization"));
            if (token.isPresent() && jobTokens.principalOf(token.get()).isEmpty()
                    && operatorTokens.principalOf(token.get()).isPresent()) {
                return;
            }
        }
        jobTokens.authenticate(ctx).ifPresent(tenant -> ctx.attribute(TENANT_ATTRIBUTE, tenant));
    }

    /**
     * {@code GET /v1/jobs}: the tenant is the job token's; a {@code tenant} parameter naming another one is answered
     * 404 naming {@code tenant} (as another tenant's job is: the answer tells nothing about that tenant, and a wrong
     * parameter is not mistaken for an empty list). Without job tokens {@code tenant} is required (400).
     * {@code status}: job states, comma-separated; {@code since}: an instant or a duration back from now;
     * {@code limit}: 1 to {@value JobQuery#MAX_LIMIT} (default {@value JobQuery#DEFAULT_LIMIT}).
     */
    private void jobs(Context ctx) {
        Object principal = ctx.attribute(TENANT_ATTRIBUTE);
        String named = QueryParams.query(ctx, "tenant");
        String tenant;
        if (principal != null) {
            if (named != null && !named.isBlank() && !named.equals(principal)) {
                throw new ProblemException(Problem.of(404, "Not Found", "no jobs of tenant '" + named
                        + "' for this token").with("field", "tenant"));
            }
            tenant = principal.toString();
        } else if (named == null || named.isBlank()) {
            throw QueryParams.badRequest("tenant", "is required (the tenant whose jobs to list)");
        } else {
            tenant = named;
        }
        Set<String> states = QueryParams.jobStates("status", QueryParams.query(ctx, "status"));
        Instant since = QueryParams.since("since", QueryParams.query(ctx, "since"), clock.instant());
        int limit = QueryParams.limit("limit", QueryParams.query(ctx, "limit"), JobQuery.DEFAULT_LIMIT, JobQuery.MAX_LIMIT);
        byte[] after = JobQuery.position(QueryParams.query(ctx, "cursor"));
        json(ctx, queries().jobs(new JobQuery(tenant, states, since.toEpochMilli(), after, limit), forwarded(ctx)));
    }

    private void totals(Context ctx, StatsKey key) {
        JobStatsView view = queries().totals(key, forwarded(ctx)).orElseGet(() -> {
            if (key.scope() == StatsScope.OVERALL) {
                return JobStatsView.from(StatsAggregate.empty().toJobStats(key, null, null));
            }
            throw new ProblemException(Problem.of(404, "Not Found", "no results for " + key + " yet").with("scope", key.toString()));
        });
        json(ctx, view);
    }

    private void allTotals(Context ctx) {
        StatsScope type = QueryParams.scopeType("scope", QueryParams.query(ctx, "scope"));
        List<JobStatsView> all = queries().allTotals(forwarded(ctx));
        if (type != null) {
            all = all.stream().filter(v -> v.scope().equals(type.name())).toList();
        }
        json(ctx, new TotalsList(all));
    }

    private void windows(Context ctx) {
        StatsKey key = QueryParams.windowScope("scope", QueryParams.query(ctx, "scope"));
        Instant to = QueryParams.instant("to", QueryParams.query(ctx, "to"), clock.instant());
        Instant defaultFrom = to.minus(DEFAULT_WINDOWS_RANGE);
        Instant from = QueryParams.instant("from", QueryParams.query(ctx, "from"),
                defaultFrom.isBefore(QueryParams.EARLIEST) ? QueryParams.EARLIEST : defaultFrom);
        if (from.isAfter(to)) {
            throw QueryParams.badRequest("from", "must not be after to (" + from + " > " + to + ")");
        }
        List<JobStatsView> windows = queries().windows(key, from, to, forwarded(ctx));
        json(ctx, new WindowsList(key.toString(), from.toString(), to.toString(), windows));
    }

    private void jobResult(Context ctx) {
        String jobId = ctx.pathParam("jobId");
        if (jobId.isBlank()) {
            throw QueryParams.badRequest("jobId", "must not be blank");
        }
        Problem notFound = Problem.of(404, "Not Found", "no result for job " + jobId
                + " (unknown, not finished yet, or older than the de-duplication retention)").with("jobId", jobId);
        JobResultView view = queries().jobResult(jobId, forwarded(ctx)).orElseThrow(() -> new ProblemException(notFound));
        requireReadable(ctx, view.tenant(), notFound);
        json(ctx, view);
    }

    private void jobView(Context ctx) {
        String jobId = ctx.pathParam("jobId");
        if (jobId.isBlank()) {
            throw QueryParams.badRequest("jobId", "must not be blank");
        }
        Duration wait = QueryParams.duration("wait", QueryParams.query(ctx, "wait"), Duration.ZERO);
        Long after = QueryParams.version("after", QueryParams.query(ctx, "after"));
        Problem notFound = Problem.of(404, "Not Found", "no job " + jobId
                + " (unknown, or older than the job status retention)").with("jobId", jobId);
        if (ctx.attribute(TENANT_ATTRIBUTE) != null && !wait.isZero()) {
            // another tenant's job answers at once, as an unknown one does, instead of after the wait
            JobView now = queries().jobView(jobId, Duration.ZERO, null, forwarded(ctx))
                    .orElseThrow(() -> new ProblemException(notFound));
            requireReadable(ctx, now.tenant(), notFound);
        }
        JobView view = queries().jobView(jobId, wait, after, forwarded(ctx)).orElseThrow(() -> new ProblemException(notFound));
        requireReadable(ctx, view.tenant(), notFound);
        json(ctx, view);
    }

    private InteractiveQueries queries() {
        InteractiveQueries q = queries.get();
        if (q == null) {
            throw new QueryUnavailableException("the aggregator is starting; retry shortly");
        }
        return q;
    }

    private static boolean forwarded(Context ctx) {
        return "true".equalsIgnoreCase(ctx.header(Forwarder.FORWARDED_HEADER));
    }

    private static void json(Context ctx, Object body) {
        try {
            ctx.contentType("application/json").result(QueryApiJson.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
