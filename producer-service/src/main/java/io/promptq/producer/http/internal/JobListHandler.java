package io.promptq.producer.http.internal;

import io.javalin.http.Context;
import io.promptq.http.OpsServer;
import io.promptq.http.Problem;
import io.promptq.producer.internal.AggregatorClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/jobs?tenant=&status=&since=&cursor=&limit=}: a page of a tenant's jobs, newest first, answered by
 * the aggregator (see the README's "Job status"), which checks the parameters. With authentication on, the tenant is
 * the token's: a {@code tenant} parameter naming another one is 404 naming {@code tenant} (as the aggregator answers),
 * and the caller's {@code Authorization} is forwarded. 503 problem+json with {@code Retry-After} when the aggregator
 * cannot be reached.
 */
public final class JobListHandler {

    private static final Logger log = LoggerFactory.getLogger(JobListHandler.class);

    private final AggregatorClient aggregator;
    private final Authenticator authenticator;

    public JobListHandler(AggregatorClient aggregator, JobStatusHandler status) {
        this.aggregator = aggregator;
        this.authenticator = status.authenticator();
    }

    /** The route's handler. */
    public void list(Context ctx) {
        String authorization = ctx.header("Authorization");
        String query = ctx.queryString();
        try {
            Optional<String> principal = authenticator.authenticate(authorization);
            if (principal.isPresent()) {
                String named = ctx.queryParam("tenant");
                if (named != null && !named.isBlank() && !named.equals(principal.get())) {
                    OpsServer.respond(ctx, Problem.of(404, "Not Found", "no jobs of tenant '" + named
                            + "' for this token").with("field", "tenant"));
                    return;
                }
                if (named == null || named.isBlank()) {
                    String tenant = "tenant=" + URLEncoder.encode(principal.get(), StandardCharsets.UTF_8);
                    query = query == null || query.isEmpty() ? tenant : query + "&" + tenant;
                }
            }
        } catch (Rejection rejection) {
            rejection.headers().forEach(ctx::header);
            OpsServer.respond(ctx, rejection.problem());
            return;
        }
        AggregatorClient.Answer answer;
        try {
            answer = aggregator.jobs(query, authorization);
        } catch (IOException e) {
            log.debug("Aggregator at {} unreachable for a job list: {}", aggregator.base(), e.toString());
            unavailable(ctx, "the job status service (aggregator at " + aggregator.base() + ") cannot be reached: "
                    + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(ctx, "interrupted");
            return;
        }
        if (answer.status() >= 500) {
            unavailable(ctx, "the job status service answered HTTP " + answer.status());
            return;
        }
        ctx.status(answer.status());
        ctx.contentType(answer.status() == 200 ? "application/json" : "application/problem+json").result(answer.body());
    }

    private static void unavailable(Context ctx, String detail) {
        ctx.header("Retry-After", "1");
        OpsServer.respond(ctx, Problem.of(503, "Service Unavailable", detail));
    }
}
