package io.promptq.aggregator.fleet.internal;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.aggregator.JobStatsView;
import io.promptq.aggregator.fleet.Overview;
import io.promptq.aggregator.fleet.WorkersList;
import io.promptq.aggregator.internal.query.InteractiveQueries;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.http.BearerTokens;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /v1/console/workers} ({@link WorkersList}) and {@code GET /v1/console/overview} ({@link Overview}), open
 * to the analysts' read tokens ({@code PROMPTQ_AGGREGATOR_READ_TOKENS}), or to anyone when none are set, like
 * {@code /v1/stats/...}. While the lag cannot be read, the overview is answered 503 (problem+json).
 */
public final class FleetRoutes {

    public static final String WORKERS = "/v1/console/workers";
    public static final String OVERVIEW = "/v1/console/overview";

    private final BearerTokens readTokens;
    private final WorkerStatusReader workers;
    private final ConsumerLagProbe lag;
    private final Supplier<InteractiveQueries> queries;
    private final Duration window;
    private final Clock clock;

    public FleetRoutes(BearerTokens readTokens, WorkerStatusReader workers, ConsumerLagProbe lag,
            Supplier<InteractiveQueries> queries, Duration window, Clock clock) {
        this.readTokens = Objects.requireNonNull(readTokens, "readTokens");
        this.workers = workers;
        this.lag = lag;
        this.queries = queries;
        this.window = window;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.before(WORKERS, readTokens::authenticate);
        app.before(OVERVIEW, readTokens::authenticate);
        app.get(WORKERS, this::workers);
        app.get(OVERVIEW, this::overview);
    }

    private void workers(Context ctx) {
        long now = clock.millis();
        ctx.json(new WorkersList(workers.statuses().stream().map(s -> WorkersList.worker(s, now)).toList()));
    }

    private void overview(Context ctx) {
        InteractiveQueries q = queries.get();
        if (q == null) {
            throw unavailable("the aggregator is starting");
        }
        Instant now = clock.instant();
        List<JobStatsView> windows = q.windows(StatsKey.overall(), now.minus(Overview.PERIOD), now, false);
        JobStatsView totals = q.totals(StatsKey.overall(), false).orElseGet(
                () -> JobStatsView.from(StatsAggregate.empty().toJobStats(StatsKey.overall(), null, null)));
        try {
            ctx.json(Overview.of(windows, window, totals, lag.samples(), lag.lag()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        } catch (Exception e) {
            throw unavailable("the workers' consumer lag cannot be read now: " + e);
        }
    }

    private static ProblemException unavailable(String detail) {
        return new ProblemException(Problem.of(503, "Service Unavailable", detail));
    }
}
