package io.promptq.aggregator.batch.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.internal.query.Forwarder;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.internal.query.QueryParams;
import io.promptq.aggregator.internal.query.QueryRoutes;
import io.promptq.batch.BatchIds;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The batch query routes on the aggregator's query port, which the producer forwards its {@code GET /v1/batches}
 * to: {@code GET /v1/batches/{id}?tenant=} (the Batch object; 404 when unknown or another tenant's) and
 * {@code GET /v1/batches?tenant=&after=&limit=} (the list object, newest first). Authentication is the job API's
 * ({@link QueryRoutes} applies it to these paths): a job token reads its tenant's batches, an operator any tenant's.
 */
public final class BatchRoutes {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    private final Supplier<@Nullable BatchQueries> queries;

    /** @param queries the query engine; may return null until Kafka Streams is created (then 503) */
    public BatchRoutes(Supplier<@Nullable BatchQueries> queries) {
        this.queries = queries;
    }

    public void register(Javalin app) {
        app.get("/v1/batches/{batchId}", this::batch);
        app.get("/v1/batches", this::list);
    }

    private void batch(Context ctx) {
        String batchId = ctx.pathParam("batchId");
        Problem notFound = Problem.of(404, "Not Found", "no batch " + batchId).with("batchId", batchId);
        if (!BatchIds.isValid(batchId)) {
            throw new ProblemException(notFound);
        }
        String tenant = tenant(ctx, false);
        String json = queries().batch(batchId, tenant, forwarded(ctx)).map(Object::toString)
                .orElseThrow(() -> new ProblemException(notFound));
        ctx.contentType("application/json").result(json);
    }

    private void list(Context ctx) {
        String tenant = tenant(ctx, true);
        String after = QueryParams.query(ctx, "after");
        if (after != null && !BatchIds.isValid(after)) {
            throw QueryParams.badRequest("after", "must be a batch id");
        }
        int limit = QueryParams.limit("limit", QueryParams.query(ctx, "limit"), DEFAULT_LIMIT, MAX_LIMIT);
        try {
            ctx.contentType("application/json").result(QueryApiJson.MAPPER.writeValueAsString(
                    queries().list(tenant, after, limit, forwarded(ctx))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the batch list", e);
        }
    }

    /**
     * The tenant whose batches the caller reads: a job token's (a {@code tenant} naming another one is 404);
     * otherwise (operators, authentication off) the {@code tenant} parameter, required for a list.
     */
    private static @Nullable String tenant(Context ctx, boolean required) {
        Object principal = ctx.attribute(QueryRoutes.TENANT_ATTRIBUTE);
        String named = QueryParams.query(ctx, "tenant");
        if (named != null && named.isBlank()) {
            named = null;
        }
        if (principal != null) {
            if (named != null && !named.equals(principal)) {
                throw new ProblemException(Problem.of(404, "Not Found", "no batches of tenant '" + named
                        + "' for this token").with("field", "tenant"));
            }
            return principal.toString();
        }
        if (named == null && required) {
            throw QueryParams.badRequest("tenant", "is required (the tenant whose batches to list)");
        }
        return named;
    }

    private BatchQueries queries() {
        BatchQueries q = queries.get();
        if (q == null) {
            throw new QueryUnavailableException("the aggregator is starting; retry shortly");
        }
        return q;
    }

    private static boolean forwarded(Context ctx) {
        return "true".equalsIgnoreCase(ctx.header(Forwarder.FORWARDED_HEADER));
    }
}
