package io.promptq.producer.http.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.promptq.batch.BatchConfig;
import io.promptq.batch.BatchIds;
import io.promptq.batch.BatchStatus;
import io.promptq.batch.BatchView;
import io.promptq.files.FileStore;
import io.promptq.files.StoredFile;
import io.promptq.producer.batch.BatchEvents;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.http.internal.OpenAiCompat.ApiError;
import io.promptq.producer.internal.AggregatorClient;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI Batches API on the producer: {@code POST /v1/batches} checks the request and writes CREATED,
 * {@code POST /v1/batches/{id}/cancel} writes CANCEL_REQUESTED, both answering the aggregator's view once it shows
 * the step (polled for up to {@link #VIEW_WAIT}); {@code GET /v1/batches/{id}} and {@code GET /v1/batches} are
 * forwarded to the aggregator, which owns batch state, with the resolved {@code tenant=} and the caller's
 * {@code Authorization}. Errors are OpenAI's envelope ({@link OpenAiCompat}).
 */
public final class BatchesHandler {

    /** The only endpoint a batch may call. */
    public static final String CHAT_COMPLETIONS = "/v1/chat/completions";
    /** How long create and cancel wait for the aggregator to show the step. */
    static final Duration VIEW_WAIT = Duration.ofSeconds(10);
    static final int MAX_METADATA = 16;
    static final int MAX_METADATA_KEY = 64;
    static final int MAX_METADATA_VALUE = 512;
    private static final Duration VIEW_POLL = Duration.ofMillis(200);
    private static final Logger log = LoggerFactory.getLogger(BatchesHandler.class);

    private final OpenAiCompat compat;
    private final AggregatorClient aggregator;
    private final FileStore files;
    private final BatchEvents events;
    private final BatchConfig config;
    private final Clock clock;

    public BatchesHandler(OpenAiCompat compat, AggregatorClient aggregator, FileStore files, BatchEvents events,
            BatchConfig config, Clock clock) {
        this.compat = compat;
        this.aggregator = aggregator;
        this.files = files;
        this.events = events;
        this.config = config;
        this.clock = clock;
    }

    /** {@code POST /v1/batches}. */
    public void create(Context ctx) {
        try {
            String tenant = compat.tenant(ctx);
            JsonNode body = body(ctx);
            String inputFileId = text(body, "input_file_id");
            String endpoint = text(body, "endpoint");
            String window = text(body, "completion_window");
            Duration duration = window(window);
            Map<String, String> metadata = metadata(body.get("metadata"));
            if (!CHAT_COMPLETIONS.equals(endpoint)) {
                throw ApiError.invalid("endpoint", "endpoint '" + endpoint
                        + "' is not supported; the supported endpoint is " + CHAT_COMPLETIONS);
            }
            StoredFile input = files.get(tenant, inputFileId).orElseThrow(() ->
                    ApiError.notFound("input_file_id", "No file found with id '" + inputFileId + "'"));
            if (!StoredFile.PURPOSE_BATCH.equals(input.purpose())) {
                throw ApiError.invalid("input_file_id", "file " + inputFileId + " has purpose '" + input.purpose()
                        + "'; a batch's input file must have purpose 'batch'");
            }
            Instant now = clock.instant();
            String batchId = BatchIds.newId(now);
            Instant expiresAt = now.plus(duration);
            events.write(BatchEvent.newBuilder().setBatchId(batchId).setTenant(tenant).setType(BatchEventType.CREATED)
                    .setAt(now).setInputFileId(inputFileId).setEndpoint(endpoint).setCompletionWindow(window)
                    .setExpiresAt(expiresAt).setMetadata(metadata).build());
            String authorization = ctx.header("Authorization");
            String view = awaitView(batchId, tenant, authorization, json -> true);
            ctx.contentType("application/json").result(view != null ? view
                    : BatchView.created(batchId, endpoint, inputFileId, window, now, expiresAt, metadata).toJson()
                            .toString());
        } catch (ApiError e) {
            e.respond(ctx);
        } catch (IOException e) {
            log.warn("Batch not created: {}", e.getMessage());
            ApiError.unavailable("the batch could not be written: " + e.getMessage()).respond(ctx);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ApiError.unavailable("interrupted").respond(ctx);
        }
    }

    /** {@code GET /v1/batches/{id}}. */
    public void retrieve(Context ctx) {
        try {
            String tenant = compat.tenant(ctx);
            String batchId = ctx.pathParam("batchId");
            ctx.contentType("application/json").result(view(batchId, tenant, ctx.header("Authorization"))
                    .orElseThrow(() -> noBatch(batchId)));
        } catch (ApiError e) {
            e.respond(ctx);
        }
    }

    /** {@code GET /v1/batches?after=&limit=}. */
    public void list(Context ctx) {
        try {
            String tenant = compat.tenant(ctx);
            StringBuilder query = new StringBuilder("/v1/batches?tenant=").append(encode(tenant));
            String after = ctx.queryParam("after");
            if (after != null && !after.isEmpty()) {
                query.append("&after=").append(encode(after));
            }
            String limit = ctx.queryParam("limit");
            if (limit != null && !limit.isEmpty()) {
                query.append("&limit=").append(encode(limit));
            }
            AggregatorClient.Answer answer = ask(query.toString(), ctx.header("Authorization"));
            if (answer.status() == 400) {
                JsonNode problem = readOrNull(answer.body());
                throw ApiError.invalid(problem == null ? null : problem.path("field").asText(null),
                        problem == null ? "invalid list parameters"
                                : problem.path("detail").asText("invalid list parameters"));
            }
            if (answer.status() != 200) {
                throw unexpected(answer.status());
            }
            ctx.contentType("application/json").result(answer.body());
        } catch (ApiError e) {
            e.respond(ctx);
        }
    }

    /** {@code POST /v1/batches/{id}/cancel}. */
    public void cancel(Context ctx) {
        try {
            String tenant = compat.tenant(ctx);
            String batchId = ctx.pathParam("batchId");
            String authorization = ctx.header("Authorization");
            String current = view(batchId, tenant, authorization).orElseThrow(() -> noBatch(batchId));
            JsonNode json = readOrNull(current);
            if (json == null) {
                throw ApiError.unavailable("the batch service answered unreadable JSON");
            }
            BatchStatus status = BatchStatus.fromApiName(json.path("status").asText());
            if (status.terminal()) {
                throw new ApiError(409, "cannot cancel a batch with status " + status.apiName(), null,
                        null);
            }
            Instant now = clock.instant();
            events.write(BatchEvent.newBuilder().setBatchId(batchId).setTenant(tenant)
                    .setType(BatchEventType.CANCEL_REQUESTED).setAt(now)
                    .setInputFileId(json.path("input_file_id").asText(null)).setMetadata(Map.of()).build());
            String view = awaitView(batchId, tenant, authorization, v -> {
                String s = v.path("status").asText();
                return !BatchStatus.VALIDATING.apiName().equals(s) && !BatchStatus.IN_PROGRESS.apiName().equals(s);
            });
            if (view != null) {
                ctx.contentType("application/json").result(view);
                return;
            }
            ObjectNode cancelling = (ObjectNode) json;
            cancelling.put("status", BatchStatus.CANCELLING.apiName());
            cancelling.put("cancelling_at", now.getEpochSecond());
            ctx.contentType("application/json").result(cancelling.toString());
        } catch (ApiError e) {
            e.respond(ctx);
        } catch (IOException e) {
            log.warn("Batch cancel not written: {}", e.getMessage());
            ApiError.unavailable("the cancel request could not be written: " + e.getMessage()).respond(ctx);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ApiError.unavailable("interrupted").respond(ctx);
        }
    }

    /** The batch's view once {@code ready} accepts it, polled up to {@link #VIEW_WAIT}; null if it never did. */
    private @Nullable String awaitView(String batchId, String tenant, @Nullable String authorization,
            Predicate<JsonNode> ready) throws InterruptedException {
        long deadline = System.nanoTime() + VIEW_WAIT.toNanos();
        while (true) {
            try {
                Optional<String> view = view(batchId, tenant, authorization);
                if (view.isPresent()) {
                    JsonNode json = readOrNull(view.get());
                    if (json != null && ready.test(json)) {
                        return view.get();
                    }
                }
            } catch (ApiError e) {
                log.debug("Batch {} not viewed yet: {}", batchId, e.getMessage());
            }
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
            Thread.sleep(VIEW_POLL);
        }
    }

    /** The aggregator's view of the batch, empty when it has none for the tenant. */
    private Optional<String> view(String batchId, String tenant, @Nullable String authorization) {
        if (!BatchIds.isValid(batchId)) {
            return Optional.empty();
        }
        AggregatorClient.Answer answer = ask("/v1/batches/" + batchId + "?tenant=" + encode(tenant), authorization);
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (answer.status() != 200) {
            throw unexpected(answer.status());
        }
        return Optional.of(answer.body());
    }

    private AggregatorClient.Answer ask(String pathAndQuery, @Nullable String authorization) {
        try {
            return aggregator.batches(pathAndQuery, authorization);
        } catch (IOException e) {
            throw ApiError.unavailable("the batch service (aggregator at " + aggregator.base() + ", "
                    + ProducerServiceConfig.AGGREGATOR_URL.name() + ") cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted");
        }
    }

    private static ApiError unexpected(int status) {
        return status == 401 || status == 403
                ? new ApiError(status, "the batch service refused the credentials (HTTP " + status + ")",
                        null, null)
                : ApiError.unavailable("the batch service answered HTTP " + status);
    }

    private static ApiError noBatch(String batchId) {
        return ApiError.notFound("batch_id", "No batch found with id '" + batchId + "'");
    }

    private Duration window(String window) {
        for (Duration d : config.completionWindows()) {
            if (format(d).equals(window)) {
                return d;
            }
        }
        throw ApiError.invalid("completion_window", "completion_window must be one of "
                + config.completionWindows().stream().map(BatchesHandler::format).toList() + ", but was '" + window + "'");
    }

    /** A window as the API writes it: {@code 24h}, {@code 90m}, {@code 45s}. */
    static String format(Duration d) {
        long seconds = d.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static Map<String, String> metadata(@Nullable JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw ApiError.invalid("metadata", "metadata must be an object of string values");
        }
        if (node.size() > MAX_METADATA) {
            throw ApiError.invalid("metadata",
                    "metadata may have at most " + MAX_METADATA + " pairs, but has " + node.size());
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (field.getKey().length() > MAX_METADATA_KEY) {
                throw ApiError.invalid("metadata",
                        "metadata keys must be at most " + MAX_METADATA_KEY + " characters");
            }
            if (!field.getValue().isTextual() || field.getValue().asText().length() > MAX_METADATA_VALUE) {
                throw ApiError.invalid("metadata", "metadata." + field.getKey() + " must be a string of at most "
                        + MAX_METADATA_VALUE + " characters");
            }
            out.put(field.getKey(), field.getValue().asText());
        }
        return out;
    }

    private static JsonNode body(Context ctx) {
        JsonNode body = readOrNull(ctx.body());
        if (body == null || !body.isObject()) {
            throw ApiError.invalid(null, "the request body must be a JSON object");
        }
        return body;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            throw new ApiError(400, "Missing required parameter: '" + field + "'", field,
                    "missing_required_parameter");
        }
        if (!value.isTextual()) {
            throw ApiError.invalid(field, field + " must be a string");
        }
        return value.asText();
    }

    private static @Nullable JsonNode readOrNull(String text) {
        try {
            return OpenAiCompat.JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
