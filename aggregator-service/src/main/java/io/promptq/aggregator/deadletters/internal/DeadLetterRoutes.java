package io.promptq.aggregator.deadletters.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.deadletters.DeadLetterDetail;
import io.promptq.aggregator.deadletters.DeadLetterFilter;
import io.promptq.aggregator.deadletters.DeadLetterPage;
import io.promptq.aggregator.internal.query.Forwarder;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.internal.query.QueryParams;
import io.promptq.http.BearerTokens;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Bytes;
import org.jspecify.annotations.Nullable;

/**
 * The console's dead-letter reads (JSON; errors as problem+json), open to the analysts' read tokens (or to anyone
 * while none are configured), like {@code /v1/stats/...}:
 * <ul>
 *   <li>{@code GET /v1/console/dead-letters?reason=&model=&tenant=&since=&until=&cursor=&limit=} – a
 *       {@link DeadLetterPage}, newest first, from a bounded scan ({@code limit} 1..{@value #MAX_LIMIT}, default
 *       {@value #DEFAULT_LIMIT}; {@code since}/{@code until} ISO-8601 or epoch millis).</li>
 *   <li>{@code GET /v1/console/dead-letters/{id}} – the {@link DeadLetterDetail} read from Kafka ({@code id} =
 *       {@code <partition>-<offset>}); 404 when the topic holds no record there.</li>
 * </ul>
 */
public final class DeadLetterRoutes {

    /** Page size without {@code limit}. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page. */
    public static final int MAX_LIMIT = 1000;
    private static final Pattern ID = Pattern.compile("(\\d{1,9})-(\\d{1,19})");

    private final Supplier<@Nullable IndexQueries> queries;
    private final Supplier<@Nullable DeadLetterReader> reader;
    private final BearerTokens readTokens;

    /**
     * @param queries the index; may return null until Kafka Streams is created (then 503)
     * @param reader reads dead letters from Kafka; may return null until created (then 503)
     */
    public DeadLetterRoutes(Supplier<@Nullable IndexQueries> queries, Supplier<@Nullable DeadLetterReader> reader,
            BearerTokens readTokens) {
        this.queries = queries;
        this.reader = reader;
        this.readTokens = readTokens;
    }

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.get("/v1/console/dead-letters", this::page);
        app.get("/v1/console/dead-letters/{id}", this::detail);
    }

    private void page(Context ctx) {
        readTokens.authenticate(ctx);
        String reason = QueryParams.query(ctx, "reason");
        String model = QueryParams.query(ctx, "model");
        String tenant = QueryParams.query(ctx, "tenant");
        Long since = millis(ctx, "since");
        Long until = millis(ctx, "until");
        if (since != null && until != null && since > until) {
            throw QueryParams.badRequest("since", "must not be after until (" + since + " > " + until + ")");
        }
        String rawCursor = QueryParams.query(ctx, "cursor");
        Bytes cursor = null;
        if (rawCursor != null && !rawCursor.isEmpty()) {
            cursor = IndexKeys.parseCursor(rawCursor);
            if (cursor == null) {
                throw QueryParams.badRequest("cursor", "is not a cursor of this API: " + rawCursor);
            }
        }
        int limit = integer(ctx, "limit", DEFAULT_LIMIT, MAX_LIMIT);
        IndexQueries index = queries.get();
        if (index == null) {
            throw new QueryUnavailableException("the aggregator is starting; retry shortly");
        }
        int scan = integer(ctx, "scan", index.scanLimit(), Integer.MAX_VALUE);
        DeadLetterFilter filter = new DeadLetterFilter(blankToNull(reason), blankToNull(model), blankToNull(tenant),
                since, until);
        boolean forwarded = "true".equalsIgnoreCase(ctx.header(Forwarder.FORWARDED_HEADER));
        json(ctx, index.page(filter, cursor, limit, scan, forwarded));
    }

    private void detail(Context ctx) {
        readTokens.authenticate(ctx);
        String id = ctx.pathParam("id");
        Matcher matcher = ID.matcher(id);
        if (!matcher.matches()) {
            throw QueryParams.badRequest("id", "must be <partition>-<offset>, not " + id);
        }
        DeadLetterReader deadLetters = reader.get();
        if (deadLetters == null) {
            throw new QueryUnavailableException("the aggregator is starting; retry shortly");
        }
        DeadLetterDetail detail = deadLetters.read(Integer.parseInt(matcher.group(1)), Long.parseLong(matcher.group(2)))
                .orElseThrow(() -> new ProblemException(Problem.of(404, "Not Found", "no dead letter " + id
                        + " (unknown, or removed by the topic's retention)").with("id", id)));
        IndexQueries index = queries.get();
        json(ctx, index == null ? detail : detail.withMark(index.markOf(id)));
    }

    private static @Nullable Long millis(Context ctx, String name) {
        String raw = QueryParams.query(ctx, name);
        return raw == null || raw.isEmpty() ? null
                : QueryParams.instant(name, raw, QueryParams.EARLIEST).toEpochMilli();
    }

    private static int integer(Context ctx, String name, int fallback, int max) {
        String raw = QueryParams.query(ctx, name);
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value >= 1 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw QueryParams.badRequest(name, "must be an integer from 1 to " + max + ", not " + raw);
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static void json(Context ctx, Object body) {
        try {
            ctx.contentType("application/json").result(QueryApiJson.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName() + " as JSON", e);
        }
    }
}
