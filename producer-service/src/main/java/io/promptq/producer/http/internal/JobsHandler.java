package io.promptq.producer.http.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.javalin.http.Context;
import io.promptq.client.IdempotencyConflictException;
import io.promptq.client.InvalidJobException;
import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitException;
import io.promptq.client.SubmitReceipt;
import io.promptq.http.OpsServer;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.http.JobJson;
import io.promptq.producer.http.JsonFieldException;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.producer.metrics.ProducerMetrics.RejectReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job endpoints: {@code POST /v1/jobs} and {@code POST /v1/jobs/batch}. JSON is mapped to a
 * {@link JobRequest} ({@link JobJson}) and handed to {@link PromptqClient#submit}, which validates it with
 * the one {@code JobValidator} and publishes it; the answer waits for the broker's acknowledgement, bounded
 * by the client's send timeout. A keyed job resubmitted with the same payload within the idempotency window is not
 * written again: it is answered {@code 200} with the first copy's receipt and {@code "duplicate": true} (a new job
 * gets {@code 202} and {@code "duplicate": false}); the same key with another payload is refused with {@code 409}.
 * Refusals are answered as RFC 9457 problems and counted by reason; this is the one place where publishing
 * failures are logged.
 */
public final class JobsHandler {

    /** Media type of a batch written as one JSON object per line. */
    public static final String NDJSON = "application/x-ndjson";

    private static final Logger log = LoggerFactory.getLogger(JobsHandler.class);
    private static final Duration AWAIT_GRACE = Duration.ofSeconds(2);
    /** Reads one element of a batch array in place (the tokens after it are the rest of the array). */
    private static final ObjectReader ELEMENT_READER = JobJson.mapper().reader()
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final PromptqClient client;
    private final ProducerServiceConfig config;
    private final ProducerMetrics metrics;
    private final Authenticator auth;
    private final long retryAfterSeconds;
    /** Runs the submissions of a batch concurrently: one virtual thread per item, for the length of its send. */
    private final Executor senders = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("promptq-batch-send-", 0).factory());

    public JobsHandler(PromptqClient client, ProducerServiceConfig config, ProducerMetrics metrics) {
        this.client = client;
        this.config = config;
        this.metrics = metrics;
        this.auth = new Authenticator(config.authTokens());
        this.retryAfterSeconds = Math.max(1, (client.sendTimeout().toMillis() + 999) / 1000);
    }

    /**
     * {@code POST /v1/jobs}: one job; 202 with the receipt once the broker acknowledged it, or 200 with the first
     * copy's receipt for a duplicate of a keyed job.
     */
    public void submit(Context ctx) {
        try {
            Optional<String> principal = auth.authenticate(ctx.header("Authorization"));
            String mediaType = mediaType(ctx);
            if (mediaType != null && !isJson(mediaType)) {
                throw Rejection.unsupportedMediaType("Content-Type must be application/json, but was " + mediaType);
            }
            checkCharsetAndEncoding(ctx);
            JsonNode node = parse(BodyReader.read(ctx.req(), config.maxBodyBytes()));
            JobRequest request = prepare(node, principal);
            SubmitReceipt receipt = await(publish(request));
            count(receipt);
            ctx.status(status(receipt)).json(receipt);
        } catch (Rejection rejection) {
            metrics.rejected(rejection.reason());
            respond(ctx, rejection);
        }
    }

    /**
     * {@code POST /v1/jobs/batch}: a JSON array of jobs, or NDJSON (one job per line) with
     * {@code Content-Type: application/x-ndjson}. Answers 200 with one result per item, in order; see
     * {@link BatchResult}.
     */
    public void submitBatch(Context ctx) {
        try {
            Optional<String> principal = auth.authenticate(ctx.header("Authorization"));
            String mediaType = mediaType(ctx);
            boolean ndjson = mediaType != null && isNdjson(mediaType);
            if (mediaType != null && !ndjson && !isJson(mediaType)) {
                throw Rejection.unsupportedMediaType("Content-Type must be application/json (an array of jobs) or "
                        + NDJSON + " (one job per line), but was " + mediaType);
            }
            checkCharsetAndEncoding(ctx);
            byte[] body = BodyReader.read(ctx.req(), config.maxBatchBodyBytes());
            List<Item> items = ndjson ? parseLines(body) : parseArray(body);
            if (items.isEmpty()) {
                throw Rejection.invalidField("body", "must contain at least one job");
            }
            BatchResult result = publishAll(items, principal);
            if (result.anyUnavailable()) {
                ctx.header("Retry-After", Long.toString(retryAfterSeconds));
            }
            ctx.status(200).json(result.toJson());
        } catch (Rejection rejection) {
            metrics.rejected(rejection.reason());
            respond(ctx, rejection);
        }
    }

    /**
     * Publishes every item at once, each on its own virtual thread (a submission may block while Kafka's metadata
     * or the schema is unavailable), and awaits them all against one deadline, so a batch answers within about one
     * send timeout however many items it holds.
     */
    private BatchResult publishAll(List<Item> items, Optional<String> principal) {
        List<Object> outcomes = new ArrayList<>(items.size());
        for (Item item : items) {
            if (item.error() != null) {
                outcomes.add(item.error());
                continue;
            }
            try {
                JobRequest request = prepare(item.node(), principal);
                outcomes.add(CompletableFuture.supplyAsync(() -> publish(request), senders)
                        .thenCompose(future -> future));
            } catch (Rejection rejection) {
                outcomes.add(rejection);
            }
        }
        long deadline = System.nanoTime() + client.sendTimeout().plus(AWAIT_GRACE).toNanos();
        BatchResult result = new BatchResult(items.size());
        for (int i = 0; i < outcomes.size(); i++) {
            Object outcome = outcomes.get(i);
            try {
                if (outcome instanceof Rejection rejection) {
                    throw rejection;
                }
                @SuppressWarnings("unchecked")
                CompletableFuture<SubmitReceipt> future = (CompletableFuture<SubmitReceipt>) outcome;
                SubmitReceipt receipt = await(future, Math.max(0, deadline - System.nanoTime()));
                result.accepted(i, receipt);
                count(receipt);
            } catch (Rejection rejection) {
                result.rejected(i, rejection.atIndex(i));
                metrics.rejected(rejection.reason());
            }
        }
        return result;
    }

    private void count(SubmitReceipt receipt) {
        if (receipt.duplicate()) {
            metrics.duplicate();
        } else {
            metrics.accepted();
        }
    }

    /** 200 for a duplicate (nothing new was accepted), 202 for a job written now. */
    static int status(SubmitReceipt receipt) {
        return receipt.duplicate() ? 200 : 202;
    }

    private JobRequest prepare(JsonNode node, Optional<String> principal) {
        JobRequest request;
        try {
            request = JobJson.read(node, principal.orElse(config.defaultTenant()));
        } catch (JsonFieldException e) {
            throw Rejection.invalidField(e.field(), e.detail());
        }
        auth.authorize(principal, request.tenant());
        return request;
    }

    private CompletableFuture<SubmitReceipt> publish(JobRequest request) {
        long started = System.nanoTime();
        return client.submit(request).whenComplete((receipt, error) -> {
            if (!(unwrap(error) instanceof InvalidJobException)) {
                metrics.published(started, error == null);
            }
        });
    }

    private SubmitReceipt await(CompletableFuture<SubmitReceipt> future) {
        return await(future, client.sendTimeout().plus(AWAIT_GRACE).toNanos());
    }

    private SubmitReceipt await(CompletableFuture<SubmitReceipt> future, long timeoutNanos) {
        try {
            return future.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw classify(unwrap(e));
        } catch (TimeoutException e) {
            throw Rejection.unavailable("the job was not acknowledged within " + client.sendTimeout().toMillis()
                    + " ms", retryAfterSeconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Rejection.unavailable("the service is shutting down", retryAfterSeconds);
        }
    }

    private Rejection classify(Throwable error) {
        if (error instanceof InvalidJobException invalid) {
            return Rejection.invalid(invalid.violations());
        }
        if (error instanceof IdempotencyConflictException conflict) {
            return Rejection.conflict(conflict.idempotencyKey(), conflict.jobId(), conflict.getMessage());
        }
        if (error instanceof SubmitException submit) {
            return switch (submit.reason()) {
                case INVALID -> Rejection.invalidField("body", submit.getMessage());
                case TOO_LARGE -> Rejection.tooLarge("body", submit.getMessage());
                case CONFLICT -> Rejection.conflict(submit.getMessage());
                case UNAVAILABLE -> {
                    log.debug("Job not published, Kafka or the registry unavailable: {}", submit.getMessage());
                    yield Rejection.unavailable(submit.getMessage(), retryAfterSeconds);
                }
                case OUTCOME_UNKNOWN -> {
                    log.debug("Job outcome unknown: {}", submit.getMessage());
                    yield Rejection.outcomeUnknown(String.valueOf(submit.jobId()), submit.getMessage(), retryAfterSeconds);
                }
                case FAILED -> {
                    log.error("Job not published: {}", submit.getMessage(), submit);
                    yield Rejection.error("the job was not published; see the service log");
                }
            };
        }
        log.error("Job not published after an unexpected error", error);
        return Rejection.error("the job was not published; see the service log");
    }

    private static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof ExecutionException || e instanceof CompletionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static JsonNode parse(byte[] body) {
        StrictUtf8.check(body);
        try {
            JsonNode node = JobJson.mapper().readTree(body);
            if (node == null || node.isMissingNode()) {
                throw Rejection.invalidField("body", "must be a JSON object, but the body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw Rejection.invalidField("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Rejection.invalidField("body", "cannot be read: " + e.getMessage());
        }
    }

    /**
     * The items of a JSON array, read with a streaming parser one element at a time, so a body of millions of tiny
     * items is refused at the {@code maxBatch + 1}-th without building the rest.
     */
    private List<Item> parseArray(byte[] body) {
        StrictUtf8.check(body);
        try (JsonParser parser = JobJson.mapper().createParser(body)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw Rejection.invalidField("body", "must be a JSON object, but the body is empty");
            }
            if (first != JsonToken.START_ARRAY) {
                throw Rejection.invalidField("body", "must be a JSON array of jobs (or NDJSON with Content-Type " + NDJSON + ")");
            }
            List<Item> items = new ArrayList<>();
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
                if (token == null) {
                    throw Rejection.invalidField("body", "is not valid JSON: the array is not closed");
                }
                checkCount(items.size());
                items.add(new Item(ELEMENT_READER.readTree(parser), null));
            }
            if (parser.nextToken() != null) {
                throw Rejection.invalidField("body", "is not valid JSON: content follows the array");
            }
            return items;
        } catch (JsonProcessingException e) {
            throw Rejection.invalidField("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw Rejection.invalidField("body", "cannot be read: " + e.getMessage());
        }
    }

    /** Refuses the batch when it already holds {@code parsed} items, the limit, and has another. */
    private void checkCount(int parsed) {
        if (parsed >= config.maxBatch()) {
            throw Rejection.tooLarge("body", "the batch has more than " + config.maxBatch() + " jobs; the limit is "
                    + config.maxBatch() + " (PROMPTQ_PRODUCER_MAX_BATCH)");
        }
    }

    private List<Item> parseLines(byte[] body) {
        List<Item> items = new ArrayList<>();
        int lineNumber = 0;
        for (int start = 0; start < body.length; ) {
            int end = start;
            while (end < body.length && body[end] != '\n') {
                end++;
            }
            lineNumber++;
            byte[] bytes = Arrays.copyOfRange(body, start, end);
            start = end + 1;
            try {
                StrictUtf8.check(bytes);
            } catch (Rejection malformed) {
                checkCount(items.size());
                items.add(new Item(null, malformed));
                continue;
            }
            String line = new String(bytes, StandardCharsets.UTF_8);
            if (line.isBlank()) {
                continue;
            }
            checkCount(items.size());
            try {
                items.add(new Item(JobJson.mapper().readTree(line), null));
            } catch (JsonProcessingException e) {
                items.add(new Item(null, Rejection.invalidField("body", "line " + lineNumber + " is not valid JSON: "
                        + e.getOriginalMessage())));
            }
        }
        return items;
    }

    private static @Nullable String mediaType(Context ctx) {
        String header = ctx.header("Content-Type");
        if (header == null || header.isBlank()) {
            return null;
        }
        int semicolon = header.indexOf(';');
        return (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Refuses with 415 a body declared in another charset than UTF-8 (JSON is UTF-8, RFC 8259; reading latin1 as
     * UTF-8 would alter the content) or with a {@code Content-Encoding} other than {@code identity} (a compressed
     * body would be parsed as garbage, and decompressing it would bypass the body size limit).
     */
    private static void checkCharsetAndEncoding(Context ctx) {
        String charset = charset(ctx.header("Content-Type"));
        if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
            throw Rejection.unsupportedMediaType("Content-Type charset must be utf-8 (or absent), but was " + charset);
        }
        String encoding = ctx.header("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw Rejection.unsupportedEncoding("Content-Encoding must be absent or identity, but was " + encoding.trim());
        }
    }

    /** The {@code charset} parameter of a Content-Type header, unquoted, or null when there is none. */
    static @Nullable String charset(@Nullable String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            int equals = parameter.indexOf('=');
            if (equals > 0 && parameter.substring(0, equals).trim().equalsIgnoreCase("charset")) {
                String value = parameter.substring(equals + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value;
            }
        }
        return null;
    }

    private static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
    }

    private static boolean isNdjson(String mediaType) {
        return mediaType.equals(NDJSON) || mediaType.equals("application/jsonl") || mediaType.equals("application/x-jsonlines");
    }

    private static void respond(Context ctx, Rejection rejection) {
        rejection.headers().forEach(ctx::header);
        OpsServer.respond(ctx, rejection.problem());
    }

    /** One item of a batch: its JSON, or why it could not be parsed. */
    private record Item(JsonNode node, Rejection error) {}

    /**
     * The answer of a batch: {@code {"accepted": n, "rejected": m, "results": [...]}} with one result per
     * item in request order, {@code {"index": i, "status": 202, "jobId", "topic", "partition", "offset", "duplicate"}}
     * (status 200 and {@code "duplicate": true} for a resubmitted keyed job that was not written again) or
     * {@code {"index": i, "status": 400, "problem": {RFC 9457 problem with "field" and "index"}}}.
     */
    static final class BatchResult {
        private final List<Map<String, Object>> results;
        private int accepted;
        private boolean anyUnavailable;

        BatchResult(int size) {
            results = new ArrayList<>(Collections.nCopies(size, null));
        }

        void accepted(int index, SubmitReceipt receipt) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("index", index);
            item.put("status", status(receipt));
            item.put("jobId", receipt.jobId());
            item.put("topic", receipt.topic());
            item.put("partition", receipt.partition());
            item.put("offset", receipt.offset());
            item.put("duplicate", receipt.duplicate());
            results.set(index, item);
            accepted++;
        }

        void rejected(int index, Rejection rejection) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("index", index);
            item.put("status", rejection.problem().status());
            item.put("problem", rejection.problemAsMap());
            results.set(index, item);
            anyUnavailable |= rejection.reason() == RejectReason.UNAVAILABLE
                    || rejection.reason() == RejectReason.OUTCOME_UNKNOWN;
        }

        boolean anyUnavailable() {
            return anyUnavailable;
        }

        Map<String, Object> toJson() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("accepted", accepted);
            json.put("rejected", results.size() - accepted);
            json.put("results", results);
            return json;
        }
    }
}
