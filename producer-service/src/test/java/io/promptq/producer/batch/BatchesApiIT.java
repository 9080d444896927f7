package io.promptq.producer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.batch.BatchIds;
import io.promptq.client.ClientConfig;
import io.promptq.client.ValidationRules;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.HttpTestClient;
import io.promptq.producer.ProducerService;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.internal.TopicCreator;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Batches API's routes on a real producer (real broker and registry, files in {@link FileStore#inMemory}):
 * request validation in OpenAI's error envelope with nothing written, CREATED written with the request's fields,
 * retrieve and list forwarded with the resolved {@code tenant=} and the caller's {@code Authorization}, and cancel's
 * 404, 409 and CANCEL_REQUESTED. The aggregator's batch query API is stood in for by a JDK {@link HttpServer} that
 * answers each batch with a scripted status, because the real one (part B) is built in parallel.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BatchesApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> SDK_HEADERS = Map.of("Content-Type", "application/json",
            "Authorization", "Bearer sk-ignored-while-authentication-is-off");

    private ClusterInfo cluster;
    private TopicNames names;
    private SchemaRegistryClient registry;
    private Topics topics;
    private FileStore files;
    private ProducerService service;
    private HttpTestClient http;
    private ProducerService secured;
    private HttpTestClient securedHttp;
    private HttpServer aggregator;
    /** Statuses the stand-in aggregator answers per batch id, one per request, the last one repeated. */
    private final Map<String, Deque<String>> statuses = new ConcurrentHashMap<>();
    private final List<String> aggregatorRequests = new CopyOnWriteArrayList<>();
    private final List<String> aggregatorAuthorizations = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start(ClusterInfo cluster) throws Exception {
        this.cluster = cluster;
        names = new TopicNames(UniqueNames.of("promptq.jobs.batches-api-it"), TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS);
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        topics = Topics.create(names, registry, true);
        try (Admin admin = Admin.create(KafkaSettings.of(cluster.bootstrapServers()).adminConfig("batches-api-it"));
                TopicCreator creator = TopicCreator.start(admin,
                        TopicSpecs.of(names, 3).batchApi(Duration.ofDays(1), Duration.ofDays(1)),
                        Duration.ofSeconds(20))) {
            assertThat(creator.await(Duration.ofSeconds(120))).isTrue();
        }
        aggregator = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        aggregator.createContext("/v1/batches", exchange -> {
            String uri = exchange.getRequestURI().toString();
            aggregatorRequests.add(uri);
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            aggregatorAuthorizations.add(auth == null ? "" : auth);
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (path.equals("/v1/batches")) {
                status = 200;
                body = "{\"object\":\"list\",\"data\":[],\"first_id\":null,\"last_id\":null,\"has_more\":false}";
            } else {
                String id = path.substring("/v1/batches/".length());
                Deque<String> script = statuses.get(id);
                if (script == null) {
                    status = 404;
                    body = "{\"status\":404,\"title\":\"Not Found\",\"detail\":\"no batch\"}";
                } else {
                    String s = script.size() > 1 ? script.poll() : script.peek();
                    status = 200;
                    body = "{\"id\":\"" + id + "\",\"object\":\"batch\",\"status\":\"" + s
                            + "\",\"input_file_id\":\"file-in-" + id + "\",\"from\":\"aggregator\"}";
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        aggregator.start();
        files = FileStore.inMemory(FilesConfig.defaults());
        ClientConfig client = ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names)
                .rules(ValidationRules.defaults()).sendTimeout(Duration.ofSeconds(30))
                .clientId(UniqueNames.of("batches-api-it")).build();
        service = ProducerService.start(ProducerServiceConfig.defaults(client).toBuilder().httpPort(0)
                .createTopics(true).topicPartitions(3)
                .aggregatorUrl(URI.create("http://127.0.0.1:" + aggregator.getAddress().getPort())).build(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), files);
        http = new HttpTestClient(service.port());
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        secured = ProducerService.start(ProducerServiceConfig.defaults(client.toBuilder()
                        .jobIdKey(io.promptq.client.JobIdKey.of("batches-api-it-secret-of-at-least-32-chars"))
                        .clientId(UniqueNames.of("batches-api-it-secured")).build()).toBuilder().httpPort(0)
                .createTopics(false).authTokens(io.promptq.producer.config.AuthTokens.parse("acme-token=acme"))
                .aggregatorUrl(URI.create("http://127.0.0.1:" + closedPort)).build(),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), files);
        securedHttp = new HttpTestClient(secured.port());
    }

    @AfterAll
    void stop() {
        http.close();
        service.close();
        securedHttp.close();
        secured.close();
        aggregator.stop(0);
        files.close();
        registry.close();
    }

    @Test
    void aBadCreateRequestIsAnsweredInOpenAisEnvelopeAndWritesNothing() throws Exception {
        StoredFile input = upload(ProducerServiceConfig.DEFAULT_TENANT, StoredFile.PURPOSE_BATCH);
        StoredFile output = upload(ProducerServiceConfig.DEFAULT_TENANT, StoredFile.PURPOSE_BATCH_OUTPUT);
        StoredFile foreign = upload("globex", StoredFile.PURPOSE_BATCH);

        assertError(create("{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"), 400,
                "input_file_id", "input_file_id");
        assertError(create(request("file-nope", "/v1/chat/completions", "24h", "{}")), 404, "input_file_id",
                "file-nope");
        assertError(create(request(foreign.id(), "/v1/chat/completions", "24h", "{}")), 404, "input_file_id",
                foreign.id());
        assertError(create(request(output.id(), "/v1/chat/completions", "24h", "{}")), 400, "input_file_id",
                "purpose");
        assertError(create(request(input.id(), "/v1/embeddings", "24h", "{}")), 400, "endpoint",
                "/v1/chat/completions");
        assertError(create(request(input.id(), "/v1/chat/completions", "48h", "{}")), 400, "completion_window",
                "24h");
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        assertError(create(request(input.id(), "/v1/chat/completions", "24h", many.append("}").toString())), 400,
                "metadata", "16");
        assertError(create(request(input.id(), "/v1/chat/completions", "24h",
                "{\"" + "k".repeat(65) + "\":\"v\"}")), 400, "metadata", "64");
        assertError(create(request(input.id(), "/v1/chat/completions", "24h", "{\"k\":1}")), 400, "metadata",
                "string");

        Thread.sleep(1_000);
        assertThat(batchEvents()).noneMatch(e -> input.id().equals(e.getInputFileId())
                || output.id().equals(e.getInputFileId()) || foreign.id().equals(e.getInputFileId()));
    }

    @Test
    void aCreateWritesCreatedAndAnswersTheAggregatorsView() throws Exception {
        StoredFile input = upload(ProducerServiceConfig.DEFAULT_TENANT, StoredFile.PURPOSE_BATCH);
        Instant before = Instant.now().minusSeconds(1);
        // the stand-in knows every batch once asked: the view is answered at once
        statuses.clear();
        Thread watcher = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    batchEvents().stream().filter(e -> input.id().equals(e.getInputFileId())).forEach(
                            e -> statuses.putIfAbsent(e.getBatchId(), new ArrayDeque<>(List.of("validating"))));
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                Thread.currentThread().interrupt(); // the create answered: stop watching
            }
        });
        HttpResponse<String> response;
        try {
            response = create(request(input.id(), "/v1/chat/completions", "24h", "{\"project\":\"eval-7\"}"));
        } finally {
            watcher.interrupt();
        }

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode view = JSON.readTree(response.body());
        String batchId = view.path("id").asText();
        assertThat(BatchIds.isValid(batchId)).isTrue();
        assertThat(view.path("from").asText()).isEqualTo("aggregator");
        BatchEvent created = batchEvents().stream().filter(e -> e.getBatchId().equals(batchId)).findFirst()
                .orElseThrow();
        assertThat(created.getType()).isEqualTo(BatchEventType.CREATED);
        assertThat(created.getTenant()).isEqualTo(ProducerServiceConfig.DEFAULT_TENANT);
        assertThat(created.getInputFileId()).isEqualTo(input.id());
        assertThat(created.getEndpoint()).isEqualTo("/v1/chat/completions");
        assertThat(created.getCompletionWindow()).isEqualTo("24h");
        assertThat(created.getAt()).isAfter(before);
        assertThat(created.getExpiresAt()).isEqualTo(created.getAt().plus(Duration.ofHours(24)));
        assertThat(created.getMetadata()).containsExactly(Map.entry("project", "eval-7"));
        assertThat(BatchIds.createdAt(batchId)).isEqualTo(created.getAt());
    }

    @Test
    void retrieveAndListAreForwardedWithTheResolvedTenantAndTheCallersAuthorization() throws Exception {
        String id = BatchIds.newId(Instant.now());
        statuses.put(id, new ArrayDeque<>(List.of("in_progress")));

        HttpResponse<String> one = http.get("/v1/batches/" + id);
        HttpResponse<String> list = http.get("/v1/batches?after=" + id + "&limit=5");
        HttpResponse<String> missing = http.get("/v1/batches/" + BatchIds.newId(Instant.now()));

        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(JSON.readTree(one.body()).path("status").asText()).isEqualTo("in_progress");
        assertThat(aggregatorRequests).contains("/v1/batches/" + id + "?tenant=default");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(JSON.readTree(list.body()).path("object").asText()).isEqualTo("list");
        assertThat(aggregatorRequests).contains("/v1/batches?tenant=default&after=" + id + "&limit=5");
        assertError(missing, 404, null, "No batch found");
    }

    @Test
    void cancelIs404ForAnUnknownBatch409ForATerminalOneAndOtherwiseWritesCancelRequested() throws Exception {
        String unknown = BatchIds.newId(Instant.now());
        String done = BatchIds.newId(Instant.now());
        String running = BatchIds.newId(Instant.now());
        statuses.put(done, new ArrayDeque<>(List.of("completed")));
        statuses.put(running, new ArrayDeque<>(List.of("in_progress", "cancelling")));

        HttpResponse<String> notFound = http.post("/v1/batches/" + unknown + "/cancel", "", SDK_HEADERS);
        HttpResponse<String> conflict = http.post("/v1/batches/" + done + "/cancel", "", SDK_HEADERS);
        HttpResponse<String> cancelled = http.post("/v1/batches/" + running + "/cancel", "", SDK_HEADERS);

        assertError(notFound, 404, null, unknown);
        assertError(conflict, 409, null, "cannot cancel a batch with status completed");
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        assertThat(JSON.readTree(cancelled.body()).path("status").asText()).isEqualTo("cancelling");
        assertThat(aggregatorAuthorizations).contains(SDK_HEADERS.get("Authorization"));
        await().atMost(Duration.ofSeconds(60)).until(() -> batchEvents().stream()
                .anyMatch(e -> e.getBatchId().equals(running)));
        List<BatchEvent> written = batchEvents();
        assertThat(written).filteredOn(e -> e.getBatchId().equals(running)).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo(BatchEventType.CANCEL_REQUESTED);
            assertThat(e.getTenant()).isEqualTo(ProducerServiceConfig.DEFAULT_TENANT);
            assertThat(e.getInputFileId()).isEqualTo("file-in-" + running);
        });
        assertThat(written).noneMatch(e -> e.getBatchId().equals(done) || e.getBatchId().equals(unknown));
    }

    @Test
    void withAuthenticationTheTenantIsTheTokensAndAnUnreachableAggregatorIs503NamingItsKey() throws Exception {
        StoredFile defaults = upload(ProducerServiceConfig.DEFAULT_TENANT, StoredFile.PURPOSE_BATCH);
        String body = request(defaults.id(), "/v1/chat/completions", "24h", "{}");

        HttpResponse<String> anonymous = securedHttp.post("/v1/batches", body, Map.of());
        HttpResponse<String> otherTenantsFile = securedHttp.post("/v1/batches", body,
                Map.of("Authorization", "Bearer acme-token"));
        HttpResponse<String> retrieve = securedHttp.get("/v1/batches/" + BatchIds.newId(Instant.now()),
                Map.of("Authorization", "Bearer acme-token"));

        assertError(anonymous, 401, null, "bearer token");
        assertError(otherTenantsFile, 404, "input_file_id", defaults.id());
        assertError(retrieve, 503, null, ProducerServiceConfig.AGGREGATOR_URL.name());
    }

    private HttpResponse<String> create(String body) {
        return http.post("/v1/batches", body, SDK_HEADERS);
    }

    private static String request(String fileId, String endpoint, String window, String metadata) {
        return "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"" + endpoint + "\",\"completion_window\":\""
                + window + "\",\"metadata\":" + metadata + "}";
    }

    private static void assertError(HttpResponse<String> response, int status, String param, String inMessage)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains(inMessage);
        if (param != null) {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
    }

    private StoredFile upload(String tenant, String purpose) throws IOException {
        Instant now = Instant.now();
        return files.put(new NewFile("file-" + UniqueNames.of("f"), tenant, "in.jsonl", purpose, now,
                now.plus(Duration.ofDays(1))), new ByteArrayInputStream("{}\n".getBytes(StandardCharsets.UTF_8)));
    }

    private List<BatchEvent> batchEvents() {
        var t = topics.batches();
        try (KafkaConsumer<String, BatchEvent> consumer = new KafkaConsumer<>(
                KafkaSettings.of(cluster.bootstrapServers()).consumerConfig(UniqueNames.of("it"), "batches-api-reader"),
                t.keyDeserializer(), t.valueDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(t.name()).stream()
                    .map(p -> new TopicPartition(t.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<BatchEvent> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, BatchEvent> r : consumer.poll(Duration.ofMillis(300))) {
                    out.add(r.value());
                }
            }
            return out;
        }
    }
}
