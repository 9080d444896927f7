package io.promptq.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.client.CancelOutcome;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobListQuery;
import io.promptq.client.JobPage;
import io.promptq.client.JobIdKey;
import io.promptq.client.JobStatusException;
import io.promptq.client.PromptqClient;
import io.promptq.client.StatusApiConfig;
import io.promptq.client.ValidationRules;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.config.AuthTokens;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobCancellation;
import io.promptq.topic.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The public job status API end to end: state changes and results written to the topics (as the client library and
 * workers write them) through the real aggregator to the producer's {@code GET /v1/jobs/{id}} and its event stream.
 */
@PromptqCluster
class JobStatusIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOF = "<eof>";

    @TempDir
    Path tmp;

    private ClusterInfo cluster;
    private TopicNames names;
    private SchemaRegistryClient registry;
    private KafkaProducer<String, JobStateChange> states;
    private KafkaProducer<String, JobResult> results;
    private AggregatorService aggregator;
    private ProducerService producer;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        String s = UniqueNames.suffix();
        names = new TopicNames("jobs-" + s, "retry-" + s, "dlq-" + s, "results-" + s, "totals-" + s, "windows-" + s);
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        Topics topics = Topics.create(names, registry, true);
        KafkaSettings kafka = KafkaSettings.of(cluster.bootstrapServers());
        states = new KafkaProducer<>(kafka.producerConfig("it-states-" + s), topics.status().keySerializer(),
                topics.status().valueSerializer());
        results = new KafkaProducer<>(kafka.producerConfig("it-results-" + s), topics.results().keySerializer(),
                topics.results().valueSerializer());
        Map<String, String> env = new HashMap<>(names.toConfig());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(AggregatorConfig.APPLICATION_ID.name(), "agg-" + s);
        env.put(AggregatorConfig.STATE_DIR.name(), tmp.resolve("agg").toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "3");
        aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        aggregator.awaitRunning(TIMEOUT);
        producer = ProducerService.start(producerConfig(aggregator.url()), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private ProducerServiceConfig producerConfig(URI aggregatorUrl) {
        ClientConfig client = ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names)
                .rules(ValidationRules.defaults()).clientId("producer-it")
                .jobIdKey(JobIdKey.of("job-status-it-secret-key-of-at-least-32-chars")).build();
        return ProducerServiceConfig.defaults(client).toBuilder().httpPort(0).createTopics(false)
                .authTokens(AuthTokens.parse("acme-token=acme,globex-token=globex")).aggregatorUrl(aggregatorUrl)
                .maxWait(Duration.ofSeconds(20)).sseHeartbeat(Duration.ofMillis(500)).build();
    }

    @AfterEach
    void stop() {
        http.close();
        if (producer != null) {
            producer.close();
        }
        if (aggregator != null) {
            aggregator.close();
        }
        states.close();
        results.close();
        registry.close();
    }

    private void publish(JobStateChange... changes) {
        for (JobStateChange change : changes) {
            states.send(new ProducerRecord<>(names.status(), change.getJobId(), change));
        }
        states.flush();
    }

    private static JobStateChange change(String jobId, JobState state, int attempt, Instant at) {
        return JobStateChange.newBuilder().setJobId(jobId).setTenant("acme").setState(state).setAt(at)
                .setAttempt(attempt).setWorkerId(state == JobState.QUEUED ? null : "worker-" + attempt)
                .setNextAttemptAt(state == JobState.RETRYING ? at.plusSeconds(5) : null)
                .setErrorClass(state == JobState.RETRYING ? "PROVIDER_5XX" : null).build();
    }

    private static JobResult succeeded(String jobId, Instant at) {
        return JobResult.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt").setStatus(JobStatus.SUCCEEDED)
                .setOutput("the answer").setFinishReason("stop")
                .setUsage(TokenUsage.newBuilder().setPromptTokens(10).setCompletionTokens(20).build()).setAttempts(2)
                .setAttemptDurationsMs(List.of(300L, 400L)).setQueueWaitMs(5).setProviderMs(700).setEndToEndMs(9_000)
                .setSubmittedAt(at.minusSeconds(9)).setCompletedAt(at).setWorkerId("worker-2").setProvider("fake")
                .setAttributes(Map.of()).build();
    }

    private HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producer.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One server-sent event. */
    record Event(String name, int id, JsonNode data) {}

    /** Reads an event stream line by line on another thread. */
    private BlockingQueue<String> openEvents(String jobId, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producer.port()
                + "/v1/jobs/" + jobId + "/events")).header("Authorization", "Bearer acme-token")
                .header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (Stream<String> stream = response.body()) {
                stream.forEach(lines::add);
            } finally {
                lines.add(EOF);
            }
        });
        return lines;
    }

    /** The next event, skipping comments and the retry hint; null at the end of the stream. */
    private static Event nextEvent(BlockingQueue<String> lines, List<String> comments) throws Exception {
        String name = null;
        Integer id = null;
        String data = null;
        while (true) {
            String line = lines.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(line).as("a line of the event stream within " + TIMEOUT).isNotNull();
            if (line.equals(EOF)) {
                return null;
            }
            if (line.startsWith(":")) {
                comments.add(line);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("id: ")) {
                id = Integer.parseInt(line.substring(4));
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            } else if (line.isEmpty() && data != null) {
                return new Event(name, id, JSON.readTree(data));
            }
        }
    }

    @Test
    void statesAppearOnceAndInOrderThroughGetAndServerSentEvents() throws Exception {
        Instant t0 = Instant.now().minusSeconds(10).truncatedTo(ChronoUnit.MILLIS);
        String job = "job-" + UniqueNames.suffix();
        publish(change(job, JobState.QUEUED, 0, t0), change(job, JobState.RUNNING, 1, t0.plusSeconds(1)));
        await().atMost(TIMEOUT).until(() -> get("/v1/jobs/" + job, "acme-token").statusCode() == 200
                && JSON.readTree(get("/v1/jobs/" + job, "acme-token").body()).path("version").asInt() == 1);

        List<String> comments = new ArrayList<>();
        BlockingQueue<String> stream = openEvents(job, null);
        Event queued = nextEvent(stream, comments);
        assertThat(queued.name()).isEqualTo("state");
        assertThat(queued.id()).isEqualTo(0);
        assertThat(queued.data().path("state").asText()).isEqualTo("QUEUED");
        assertThat(nextEvent(stream, comments).data().path("state").asText()).isEqualTo("RUNNING");

        // the retry, a late RUNNING of attempt 1, a repeated QUEUED, then attempt 2
        publish(change(job, JobState.RETRYING, 1, t0.plusSeconds(2)), change(job, JobState.RUNNING, 1, t0.plusSeconds(1)),
                change(job, JobState.QUEUED, 0, t0), change(job, JobState.RUNNING, 2, t0.plusSeconds(7)));
        Event retrying = nextEvent(stream, comments);
        assertThat(retrying.id()).isEqualTo(2);
        assertThat(retrying.data().path("errorClass").asText()).isEqualTo("PROVIDER_5XX");
        Event second = nextEvent(stream, comments);
        assertThat(second.id()).isEqualTo(3);
        assertThat(second.data().path("workerId").asText()).isEqualTo("worker-2");

        HttpResponse<String> view = get("/v1/jobs/" + job, "acme-token");
        assertThat(view.statusCode()).isEqualTo(200);
        JsonNode running = JSON.readTree(view.body());
        assertThat(running.path("state").asText()).isEqualTo("RUNNING");
        assertThat(running.path("version").asInt()).isEqualTo(3);
        assertThat(running.path("tenant").asText()).isEqualTo("acme");
        assertThat(running.path("history").findValuesAsText("state")).containsExactly("QUEUED", "RUNNING", "RETRYING",
                "RUNNING");
        assertThat(get("/v1/jobs/" + job, "globex-token").statusCode()).as("another tenant's job").isEqualTo(404);
        assertThat(get("/v1/jobs/" + job, null).statusCode()).isEqualTo(401);
        HttpResponse<String> unknown = get("/v1/jobs/no-such-job", "acme-token");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(get("/v1/jobs/" + job + "?after=x", "acme-token").statusCode()).isEqualTo(400);

        // ?wait returns when the result lands
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return get("/v1/jobs/" + job + "?wait=60s", "acme-token");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(1_500);
        assertThat(waiting).isNotDone();
        JobResult result = succeeded(job, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        results.send(new ProducerRecord<>(names.results(), job, result));
        results.flush();
        HttpResponse<String> done = waiting.get(30, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        JsonNode terminal = JSON.readTree(done.body());
        assertThat(terminal.path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(terminal.path("terminal").asBoolean()).isTrue();
        assertThat(terminal.path("result").path("output").asText()).isEqualTo("the answer");
        assertThat(terminal.path("result").path("attemptDurationsMs").toString()).isEqualTo("[300,400]");

        Event succeededEvent = nextEvent(stream, comments);
        assertThat(succeededEvent.data().path("state").asText()).isEqualTo("SUCCEEDED");
        assertThat(nextEvent(stream, comments)).as("the stream ends after the terminal event").isNull();
        assertThat(comments).as("heartbeats while nothing changed").contains(": heartbeat");

        // resuming after event 2 replays the rest of the history, then ends
        BlockingQueue<String> resumed = openEvents(job, "2");
        List<Integer> ids = new ArrayList<>();
        for (Event e = nextEvent(resumed, comments); e != null; e = nextEvent(resumed, comments)) {
            ids.add(e.id());
        }
        assertThat(ids).containsExactly(3, terminal.path("version").asInt());
    }

    @Test
    void cancelAnswersAFinishedJobsStateAndIs404ForAnotherTenantsJobWithoutWritingIt() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String queued = "job-" + UniqueNames.suffix();
        String done = "job-" + UniqueNames.suffix();
        publish(change(queued, JobState.QUEUED, 0, now));
        results.send(new ProducerRecord<>(names.results(), done, succeeded(done, now)));
        results.flush();
        await().atMost(TIMEOUT).until(() -> get("/v1/jobs/" + queued, "acme-token").statusCode() == 200
                && get("/v1/jobs/" + done, "acme-token").statusCode() == 200);

        HttpResponse<String> otherTenant = post("/v1/jobs/" + queued + "/cancel", "globex-token", "");
        HttpResponse<String> unknown = post("/v1/jobs/job-never-submitted/cancel", "acme-token", "");
        HttpResponse<String> own = post("/v1/jobs/" + queued + "/cancel", "acme-token", "{\"reason\": \"not needed\"}");
        HttpResponse<String> finished = post("/v1/jobs/" + done + "/cancel", "acme-token", "");

        assertThat(otherTenant.statusCode()).as(otherTenant.body()).isEqualTo(404);
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(202);
        assertThat(JSON.readTree(own.body()).path("cancelRequested").asBoolean()).isTrue();
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
        assertThat(JSON.readTree(finished.body()).path("cancelRequested").asBoolean()).isFalse();
        assertThat(JSON.readTree(finished.body()).path("state").asText()).isEqualTo("SUCCEEDED");
        List<ConsumerRecord<String, JobCancellation>> written = cancellations();
        assertThat(written).extracting(ConsumerRecord::key).containsExactly(queued);
        assertThat(written.getFirst().value().getTenant()).isEqualTo("acme");
        assertThat(written.getFirst().value().getReason()).isEqualTo("not needed");
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producer.port() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Every record of the cancellations topic, read to its end. */
    private List<ConsumerRecord<String, JobCancellation>> cancellations() {
        Topic<String, JobCancellation> topic = Topics.create(names, registry, false).cancellations();
        try (KafkaConsumer<String, JobCancellation> consumer = new KafkaConsumer<>(KafkaSettings.of(
                cluster.bootstrapServers()).consumerConfig(UniqueNames.of("cancel-it"), "cancel-it"),
                topic.keyDeserializer(), topic.valueDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, JobCancellation>> out = new ArrayList<>();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    @Test
    void waitIsCappedAndAnUnreachableAggregatorIs503(ClusterInfo cluster) throws Exception {
        String job = "job-" + UniqueNames.suffix();
        publish(change(job, JobState.QUEUED, 0, Instant.now()));
        await().atMost(TIMEOUT).until(() -> get("/v1/jobs/" + job, "acme-token").statusCode() == 200);
        ProducerService capped = ProducerService.start(producerConfig(aggregator.url()).toBuilder()
                .maxWait(Duration.ofSeconds(1)).build(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            long start = System.nanoTime();
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + capped.port() + "/v1/jobs/" + job + "?wait=1h")).header("Authorization", "Bearer acme-token")
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("state").asText()).isEqualTo("QUEUED");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
                    Duration.ofSeconds(15));
        } finally {
            capped.close();
        }
        aggregator.close();
        HttpResponse<String> down = get("/v1/jobs/" + job, "acme-token");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        assertThat(down.body()).contains("cannot be reached");
    }

    @Test
    void theJvmClientReadsStatusAndAwaitsTheOutcomeThroughTheProducer() throws Exception {
        String job = "job-" + UniqueNames.suffix();
        String slow = "job-" + UniqueNames.suffix();
        publish(change(job, JobState.QUEUED, 0, Instant.now().truncatedTo(ChronoUnit.MILLIS)),
                change(slow, JobState.QUEUED, 0, Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        ClientConfig base = ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names).build();
        URI api = URI.create("http://127.0.0.1:" + producer.port());
        try (PromptqClient acme = PromptqClient.create(base.toBuilder().statusApi(StatusApiConfig.of(api, "acme-token")).build());
                PromptqClient globex = PromptqClient.create(base.toBuilder().statusApi(StatusApiConfig.of(api, "globex-token")).build());
                PromptqClient unconfigured = PromptqClient.create(base)) {
            io.promptq.client.JobView queued = await().atMost(TIMEOUT).until(() -> acme.status(job),
                    java.util.Optional::isPresent).orElseThrow();
            assertThat(queued.state()).isEqualTo("QUEUED");
            assertThat(queued.terminal()).isFalse();
            assertThat(globex.status(job)).as("another tenant's job").isEmpty();
            assertThat(acme.status("no-such-job")).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> unconfigured.status(job))
                    .isInstanceOf(JobStatusException.class).hasMessageContaining("PROMPTQ_CLIENT_API_URL");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> acme.await(slow, Duration.ofSeconds(1)))
                    .isInstanceOf(JobStatusException.class).hasMessageContaining("still QUEUED");

            CompletableFuture<io.promptq.client.JobView> awaited =
                    CompletableFuture.supplyAsync(() -> acme.await(job, Duration.ofSeconds(60)));
            Thread.sleep(1_500);
            assertThat(awaited).isNotDone();
            results.send(new ProducerRecord<>(names.results(), job, succeeded(job, Instant.now().truncatedTo(ChronoUnit.MILLIS))));
            results.flush();
            io.promptq.client.JobView done = awaited.get(30, TimeUnit.SECONDS);
            assertThat(done.state()).isEqualTo("SUCCEEDED");
            assertThat(done.result().output()).isEqualTo("the answer");
            assertThat(done.result().attemptDurationsMs()).containsExactly(300L, 400L);
            assertThat(done.history()).extracting(io.promptq.client.JobView.Change::state)
                    .containsExactly("QUEUED", "SUCCEEDED");
        }
    }

    @Test
    void listShowsTheTokensTenantsJobsNewestFirstPageByPageAndNothingOfAnotherTenant() throws Exception {
        Instant t0 = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
        String s = UniqueNames.suffix();
        List<String> acmeNewestFirst = List.of("acme-" + s + "-2", "acme-" + s + "-1", "acme-" + s + "-0");
        String globexJob = "globex-" + s;
        publish(change(acmeNewestFirst.get(2), JobState.QUEUED, 0, t0),
                change(acmeNewestFirst.get(1), JobState.QUEUED, 0, t0.plusSeconds(1)),
                change(acmeNewestFirst.get(1), JobState.RUNNING, 1, t0.plusSeconds(2)),
                change(acmeNewestFirst.get(0), JobState.QUEUED, 0, t0.plusSeconds(9)),
                JobStateChange.newBuilder(change(globexJob, JobState.QUEUED, 0, t0.plusSeconds(5))).setTenant("globex")
                        .build());
        results.send(new ProducerRecord<>(names.results(), acmeNewestFirst.get(0),
                succeeded(acmeNewestFirst.get(0), t0.plusSeconds(18))));
        results.flush();

        JsonNode page = await().atMost(TIMEOUT).ignoreExceptions().until(
                () -> JSON.readTree(get("/v1/jobs", "acme-token").body()),
                p -> p.path("jobs").size() == 3 && p.path("jobs").get(0).path("state").asText().equals("SUCCEEDED"));
        assertThat(page.path("jobs").findValuesAsText("jobId")).containsExactlyElementsOf(acmeNewestFirst);
        assertThat(page.path("jobs").findValuesAsText("state")).containsExactly("SUCCEEDED", "RUNNING", "QUEUED");
        assertThat(page.path("nextCursor").isNull()).isTrue();
        // pages of two: the cursor carries on where the first page ended
        JsonNode first = JSON.readTree(get("/v1/jobs?limit=2", "acme-token").body());
        assertThat(first.path("jobs").findValuesAsText("jobId")).containsExactlyElementsOf(acmeNewestFirst.subList(0, 2));
        JsonNode second = JSON.readTree(get("/v1/jobs?limit=2&cursor=" + first.path("nextCursor").asText(),
                "acme-token").body());
        assertThat(second.path("jobs").findValuesAsText("jobId")).containsExactly(acmeNewestFirst.get(2));
        assertThat(second.path("nextCursor").isNull()).isTrue();
        assertThat(JSON.readTree(get("/v1/jobs?status=QUEUED,RUNNING&tenant=acme", "acme-token").body())
                .path("jobs").findValuesAsText("jobId")).containsExactlyElementsOf(acmeNewestFirst.subList(1, 3));
        // another tenant: its own jobs only; naming acme with globex's token is 404 naming tenant; no token is 401
        assertThat(JSON.readTree(get("/v1/jobs", "globex-token").body()).path("jobs").findValuesAsText("jobId"))
                .containsExactly(globexJob);
        HttpResponse<String> other = get("/v1/jobs?tenant=acme", "globex-token");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("\"field\":\"tenant\"").doesNotContain(acmeNewestFirst.get(0));
        assertThat(get("/v1/jobs", null).statusCode()).isEqualTo(401);
        HttpResponse<String> bad = get("/v1/jobs?limit=1000", "acme-token");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"field\":\"limit\"");
    }

    @Test
    void theJvmClientCancelsAndListsThroughTheProducer() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        String queued = "job-" + UniqueNames.suffix();
        String done = "job-" + UniqueNames.suffix();
        publish(change(queued, JobState.QUEUED, 0, now.minusSeconds(5)));
        results.send(new ProducerRecord<>(names.results(), done, succeeded(done, now)));
        results.flush();
        URI api = URI.create("http://127.0.0.1:" + producer.port());
        try (PromptqClient acme = PromptqClient.create(base(api, "acme-token"));
                PromptqClient globex = PromptqClient.create(base(api, "globex-token"));
                PromptqClient unconfigured = PromptqClient.create(base(null, null))) {
            JobPage page = await().atMost(TIMEOUT).ignoreExceptions().until(() -> acme.list(JobListQuery.all()),
                    p -> p.jobs().size() == 2);
            assertThat(page.jobs()).extracting(JobPage.Job::jobId).containsExactly(queued, done);
            assertThat(page.jobs()).extracting(JobPage.Job::state).containsExactly("QUEUED", "SUCCEEDED");
            JobPage first = acme.list(JobListQuery.all().limit(1));
            assertThat(acme.list(JobListQuery.all().limit(1).cursor(first.nextCursor())).jobs())
                    .extracting(JobPage.Job::jobId).containsExactly(done);
            assertThat(acme.list(JobListQuery.all().status("SUCCEEDED").since("1h")).jobs())
                    .extracting(JobPage.Job::jobId).containsExactly(done);
            assertThat(globex.list(JobListQuery.all()).jobs()).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> acme.list(JobListQuery.all().limit(0)))
                    .isInstanceOfSatisfying(JobStatusException.class, e -> assertThat(e.status()).isEqualTo(400));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> globex.list(JobListQuery.all().tenant("acme")))
                    .isInstanceOfSatisfying(JobStatusException.class, e -> assertThat(e.status()).isEqualTo(404));

            // cancel: another tenant's job is 404 and writes nothing; a finished job answers its state, writes nothing
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> globex.cancel(queued))
                    .isInstanceOfSatisfying(JobStatusException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThat(acme.cancel(done)).isEqualTo(new CancelOutcome(done, false, "SUCCEEDED"));
            assertThat(acme.cancel(queued)).isEqualTo(new CancelOutcome(queued, true, "QUEUED"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> unconfigured.cancel(queued))
                    .isInstanceOf(JobStatusException.class).hasMessageContaining("PROMPTQ_CLIENT_API_URL");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> unconfigured.list(JobListQuery.all()))
                    .isInstanceOf(JobStatusException.class).hasMessageContaining("PROMPTQ_CLIENT_API_URL");
            List<ConsumerRecord<String, JobCancellation>> written = cancellations();
            assertThat(written).extracting(ConsumerRecord::key).containsExactly(queued);
            assertThat(written.getFirst().value().getTenant()).isEqualTo("acme");
        }
    }

    private ClientConfig base(URI api, String token) {
        ClientConfig config = ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names).build();
        return api == null ? config : config.toBuilder().statusApi(StatusApiConfig.of(api, token)).build();
    }
}
