package io.promptq.aggregator.redrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.redrive.internal.Redriver;
import io.promptq.http.BearerTokens;
import io.promptq.http.Problem;
import io.promptq.http.ProblemException;
import io.promptq.schema.ConsoleAction;
import io.promptq.schema.DeadLetterMark;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * The console's write half on the dead-letter topic:
 * <ul>
 *   <li>{@code POST /v1/console/dead-letters/redrive} and {@code /purge}, body {@code {"ids":[...]}} or {@code
 *       {"filter":{"reason","model","tenant","since","until"}}}, optional {@code "rate"} (jobs/s, at most {@code
 *       PROMPTQ_CONSOLE_REDRIVE_RATE}) and {@code "dryRun"}. Actions run one at a time on one background thread; the
 *       request waits for its action up to {@link #SYNC_WAIT} and answers 200 with the result ({@code auditId,
 *       matched, redriven|purged, refused}), or else 202 with the progress so far, to be followed at
 *       {@code GET /v1/console/audit/{auditId}} (the last {@link #KEPT} actions of this instance).</li>
 * </ul>
 * Authorization: with operator tokens, an action needs one (401 without a known token, 403 for a read or job
 * token); without them, actions are open only while no other tokens are set (else 403). The actor of the audit is
 * the operator token's name, or {@code anonymous}. Audit reads take an operator or read token.
 */
public final class DeadLetterActions implements AutoCloseable {

    /** How long a request waits for its action before answering 202. */
    public static final Duration SYNC_WAIT = Duration.ofSeconds(30);
    /** Actions whose progress stays queryable. */
    public static final int KEPT = 100;

    private final Redriver redriver;
    private final Producer<byte[], byte[]> producer;
    private final int maxRate;
    private final BearerTokens operators;
    private final BearerTokens readers;
    private final BearerTokens jobTokens;
    private final ExecutorService executor;
    private final Map<String, Redriver.Progress> recent = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Redriver.Progress> eldest) {
            return size() > KEPT;
        }
    });

    private DeadLetterActions(Redriver redriver, Producer<byte[], byte[]> producer, int maxRate,
            BearerTokens operators, BearerTokens readers, BearerTokens jobTokens) {
        this.redriver = redriver;
        this.producer = producer;
        this.maxRate = maxRate;
        this.operators = operators;
        this.readers = readers;
        this.jobTokens = jobTokens;
        this.executor = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("console-actions").daemon()
                .factory());
    }

    /** The actions of {@code config}'s aggregator, with their own producer. */
    public static DeadLetterActions create(AggregatorConfig config, Topics topics, Clock clock) {
        return create(config, topics, clock, null);
    }

    /**
     * As {@link #create(AggregatorConfig, Topics, Clock)}, with the dead letters' marks looked up in {@code marks}
     * (the aggregator's marks store) rather than read from the whole marks topic per action.
     */
    public static DeadLetterActions create(AggregatorConfig config, Topics topics, Clock clock,
            @Nullable Function<String, @Nullable DeadLetterMark> marks) {
        Map<String, Object> producerConfig = new java.util.HashMap<>(
                config.kafka().producerConfig(config.applicationId() + "-console"));
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        Producer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer());
        Redriver redriver = new Redriver(topics, producer, () -> new KafkaConsumer<>(consumerConfig(config),
                new ByteArrayDeserializer(), new ByteArrayDeserializer()), clock, Duration.ofSeconds(30), marks);
        return new DeadLetterActions(redriver, producer, config.redriveRate(), config.operatorTokens(),
                config.readTokens(), config.authTokens());
    }

    private static Map<String, Object> consumerConfig(AggregatorConfig config) {
        Map<String, Object> props = config.kafka().consumerConfig("unused", config.applicationId() + "-console",
                Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return props;
    }

    /** Adds the routes to {@code app}. */
    public void register(Javalin app) {
        app.post("/v1/console/dead-letters/redrive", ctx -> act(ctx, ConsoleAction.REDRIVE));
        app.post("/v1/console/dead-letters/purge", ctx -> act(ctx, ConsoleAction.PURGE));
        app.get("/v1/console/audit/{auditId}", this::audit);
    }

    private void act(Context ctx, ConsoleAction action) throws Exception {
        String actor = authorizeAction(ctx);
        JsonNode body = parse(ctx.body());
        ActionRequest request = request(body);
        int rate = request.rate() == null ? maxRate : Math.min(request.rate(), maxRate);
        ObjectNode selection = QueryApiJson.MAPPER.createObjectNode();
        if (body.has("ids")) {
            selection.set("ids", body.get("ids"));
        }
        if (body.has("filter")) {
            selection.set("filter", body.get("filter"));
        }
        selection.put("rate", rate);
        String auditId = UUID.randomUUID().toString();
        Redriver.Progress progress = new Redriver.Progress(auditId, action, request.dryRun());
        recent.put(auditId, progress);
        Future<?> running = executor.submit(() -> redriver.run(request, rate, actor, selection.toString(), progress));
        try {
            running.get(SYNC_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            ctx.status(202);
        }
        json(ctx, answer(progress.result()));
    }

    private void audit(Context ctx) throws Exception {
        authorizeRead(ctx);
        Redriver.Progress progress = recent.get(ctx.pathParam("auditId"));
        if (progress == null) {
            throw new ProblemException(Problem.of(404, "Not Found", "no action " + ctx.pathParam("auditId")
                    + " on this instance (the last " + KEPT + " are kept)"));
        }
        json(ctx, answer(progress.result()));
    }

    /** The design's answer: {@code redriven} or {@code purged} for {@code done}. */
    static Map<String, Object> answer(ActionResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("auditId", r.auditId());
        out.put("action", r.action());
        out.put("finished", r.finished());
        out.put("dryRun", r.dryRun());
        out.put("matched", r.matched());
        out.put(r.action().equals(ConsoleAction.PURGE.name()) ? "purged" : "redriven", r.done());
        out.put("refusedCount", r.refusedCount());
        out.put("refused", r.refused());
        if (!r.error().isEmpty()) {
            out.put("error", r.error());
        }
        return out;
    }

    /** The actor's name, or a 401/403 problem. */
    String authorizeAction(Context ctx) {
        if (!operators.enabled()) {
            if (!readers.enabled() && !jobTokens.enabled()) {
                return "anonymous";
            }
            authenticateAny(ctx);
            throw forbidden();
        }
        Optional<String> token = BearerTokens.bearerToken(ctx.header("Authorization"));
        Optional<String> operator = token.flatMap(operators::principalOf);
        if (operator.isPresent()) {
            return operator.get();
        }
        authenticateAny(ctx);
        throw forbidden();
    }

    private void authorizeRead(Context ctx) {
        Optional<String> token = BearerTokens.bearerToken(ctx.header("Authorization"));
        if (token.flatMap(operators::principalOf).isPresent()) {
            return;
        }
        if (operators.enabled() && !readers.enabled()) {
            authenticateAny(ctx);
            throw forbidden();
        }
        readers.authenticate(ctx);
    }

    /** Passes if the request carries any known token; 401 otherwise. */
    private void authenticateAny(Context ctx) {
        Optional<String> token = BearerTokens.bearerToken(ctx.header("Authorization"));
        if (token.flatMap(readers::principalOf).isPresent() || token.flatMap(jobTokens::principalOf).isPresent()) {
            return;
        }
        ctx.header("WWW-Authenticate", BearerTokens.CHALLENGE);
        throw new ProblemException(Problem.of(401, "Unauthorized", "an operator token is required: send"
                + " Authorization: Bearer <token> (PROMPTQ_AGGREGATOR_OPERATOR_TOKENS)").with("field", "Authorization"));
    }

    private static ProblemException forbidden() {
        return new ProblemException(Problem.of(403, "Forbidden", "redrive and purge need an operator token"
                + " (PROMPTQ_AGGREGATOR_OPERATOR_TOKENS); this token may only read"));
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = QueryApiJson.MAPPER.readTree(body == null || body.isBlank() ? "{}" : body);
            if (node == null || !node.isObject()) {
                throw bad("body", "must be a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw bad("body", "is not JSON: " + e.getOriginalMessage());
        }
    }

    static ActionRequest request(JsonNode body) {
        List<String> ids = new ArrayList<>();
        JsonNode idsNode = body.path("ids");
        if (!idsNode.isMissingNode() && !idsNode.isNull()) {
            if (!idsNode.isArray()) {
                throw bad("ids", "must be an array of dead-letter ids (<partition>-<offset>)");
            }
            idsNode.forEach(n -> ids.add(n.asText()));
        }
        ActionRequest.Filter filter = null;
        JsonNode f = body.path("filter");
        if (f.isObject()) {
            filter = new ActionRequest.Filter(text(f, "reason"), text(f, "model"), text(f, "tenant"),
                    time(f, "since"), time(f, "until"));
        }
        Integer rate = null;
        if (body.hasNonNull("rate")) {
            if (!body.get("rate").canConvertToInt() || body.get("rate").asInt() < 1) {
                throw bad("rate", "must be a whole number of jobs per second, at least 1");
            }
            rate = body.get("rate").asInt();
        }
        if (ids.isEmpty() == (filter == null)) {
            throw bad("ids", "give either \"ids\" (a non-empty array) or a \"filter\" object");
        }
        return new ActionRequest(ids, filter, rate, body.path("dryRun").asBoolean(false));
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    /** Epoch millis, or ISO-8601 text. */
    private static @Nullable Long time(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        try {
            return Instant.parse(v.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw bad("filter." + field, "must be epoch millis or an ISO-8601 instant, but was '" + v.asText() + "'");
        }
    }

    private static ProblemException bad(String field, String detail) {
        return new ProblemException(Problem.of(400, "Bad Request", field + ": " + detail).with("field", field));
    }

    private static void json(Context ctx, Object body) throws Exception {
        ctx.contentType("application/json").result(QueryApiJson.MAPPER.writeValueAsString(body));
    }

    /** Stops the action thread (a running action is interrupted) and the producer. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
