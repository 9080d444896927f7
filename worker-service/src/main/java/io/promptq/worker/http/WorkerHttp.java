package io.promptq.worker.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.http.HealthCheck;
import io.promptq.http.OpsServer;
import io.promptq.worker.WorkerStats;
import io.promptq.worker.kafka.FlowStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Starts the worker's ops server: {@code /health/live}, {@code /health/ready} (ready while the poll loop runs
 * and polled within {@code staleAfter}), {@code /metrics} and {@code GET /stats} ({@link WorkerStats} as JSON).
 */
public final class WorkerHttp {

    private WorkerHttp() {}

    public static OpsServer start(String host, int port, PrometheusMeterRegistry registry, FlowStats loop,
            Supplier<WorkerStats> stats, Duration staleAfter, Clock clock) {
        return start(host, port, null, registry, loop, stats, staleAfter, clock);
    }

    /** As the other start, with {@code /health/*} and {@code /metrics} on {@code managementPort} when it is set. */
    public static OpsServer start(String host, int port, @Nullable Integer managementPort, PrometheusMeterRegistry registry,
            FlowStats loop, Supplier<WorkerStats> stats, Duration staleAfter, Clock clock) {
        OpsServer server = OpsServer.start(host, port, managementPort, registry, null,
                app -> app.get("/stats", ctx -> ctx.json(stats.get())));
        server.readiness("consumer", consumerCheck(loop, staleAfter, clock));
        server.readiness("outcomes", outcomesCheck(loop));
        return server;
    }

    /**
     * Down while this member has been in one rebalance for longer than {@code stuckAfter} (see
     * {@link FlowStats#rebalanceSince()}): a classic-protocol member with a pending join fetches nothing, not even
     * for the partitions it keeps, and no partition shows as paused.
     */
    public static HealthCheck groupCheck(FlowStats loop, Duration stuckAfter, Clock clock) {
        return () -> {
            long since = loop.rebalanceSince();
            if (since == 0) {
                return HealthCheck.Result.up("no rebalance in progress");
            }
            long millis = Math.max(0, clock.millis() - since);
            String detail = "rebalance in progress since " + Instant.ofEpochMilli(since) + " (" + millis / 1000
                    + " s): nothing is fetched until this member has rejoined";
            return millis > stuckAfter.toMillis() ? HealthCheck.Result.down("stuck " + detail + ", longer than "
                    + stuckAfter) : HealthCheck.Result.up(detail);
        };
    }

    /** Down while finished jobs' outputs cannot be published for a fault of the system (ACL, credentials). */
    public static HealthCheck outcomesCheck(FlowStats loop) {
        return () -> {
            String fault = loop.publishFault();
            return fault == null ? HealthCheck.Result.up("outputs are published")
                    : HealthCheck.Result.down("intake paused, outputs kept: " + fault);
        };
    }

    /** Up while the loop runs and polled recently. */
    public static HealthCheck consumerCheck(FlowStats loop, Duration staleAfter, Clock clock) {
        return () -> {
            if (loop.failure() != null) {
                return HealthCheck.Result.down("poll loop failed: " + loop.failure());
            }
            if (!loop.running()) {
                return HealthCheck.Result.down("poll loop not running");
            }
            long last = loop.lastPollAt();
            long age = clock.millis() - last;
            if (last == 0 || age > staleAfter.toMillis()) {
                return HealthCheck.Result.down(last == 0 ? "not polled yet" : "last poll " + age + " ms ago");
            }
            return HealthCheck.Result.up("polling; " + loop.assignedPartitions() + " partitions assigned, "
                    + loop.inFlight() + " jobs in flight");
        };
    }
}
