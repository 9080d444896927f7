package io.promptq.aggregator.deadletters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.DeadLetterMark;
import io.promptq.schema.DeadLetterMarkType;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's dead-letter browsing against a real broker and registry: 200 dead letters of several reasons, models
 * and tenants plus 10 undecodable ones, indexed by a running aggregator with a scan limit of 100 and read over HTTP.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterBrowsingIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int SCAN_LIMIT = 100;
    private static final int DECODABLE = 200;
    private static final int UNDECODABLE = 10;
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    @TempDir
    static Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Long> atById = new HashMap<>();
    private SchemaRegistryClient registry;
    private AggregatorService aggregator;
    private Topics topics;
    private String producerId;
    private String undecodableId;
    private byte[] undecodableValue;

    @BeforeAll
    void startAggregatorOverDeadLetters(ClusterInfo cluster) throws Exception {
        String suffix = UniqueNames.suffix();
        TopicNames names = new TopicNames("jobs-" + suffix, "retry-" + suffix, "dlq-" + suffix, "results-" + suffix,
                "totals-" + suffix, "windows-" + suffix);
        Map<String, String> env = new HashMap<>(names.toConfig());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(AggregatorConfig.APPLICATION_ID.name(), "agg-dlq-" + suffix);
        env.put(AggregatorConfig.STATE_DIR.name(), tmp.toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "3");
        env.put(AggregatorConfig.CONSOLE_SCAN_LIMIT.name(), String.valueOf(SCAN_LIMIT));
        aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        aggregator.awaitRunning(TIMEOUT);

        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        topics = Topics.create(names, registry, true);
        producerId = "dlq-it-marks-" + suffix;
        try (KafkaProducer<String, DeadLetter> producer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig("dlq-it-" + suffix),
                topics.deadLetters().keySerializer(), topics.deadLetters().valueSerializer())) {
            for (int i = 0; i < DECODABLE + UNDECODABLE; i++) {
                DeadLetter deadLetter = i < DECODABLE ? decodable(i) : undecodable(i);
                var metadata = producer.send(new ProducerRecord<>(names.deadLetters(), "job-" + i, deadLetter)).get();
                String id = metadata.partition() + "-" + metadata.offset();
                atById.put(id, deadLetter.getLastFailureAt().toEpochMilli());
                if (i == DECODABLE) {
                    undecodableId = id;
                    undecodableValue = bytes(deadLetter.getRawValue());
                }
            }
        }
        await().atMost(TIMEOUT).ignoreExceptions().until(() -> total(page("")) == DECODABLE + UNDECODABLE);
    }

    @AfterAll
    void stop() {
        if (aggregator != null) {
            aggregator.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** Dead letter i: reason TIMEOUT for every 40th (5 in all), else PROVIDER_5XX/CONTENT_FILTER; 2 models, 2 tenants. */
    private static DeadLetter decodable(int i) {
        String reason = i % 40 == 7 ? "TIMEOUT" : i % 2 == 0 ? "PROVIDER_5XX" : "CONTENT_FILTER";
        PromptJob job = PromptJob.newBuilder().setJobId("job-" + i).setTenant(i % 3 == 0 ? "acme" : "globex")
                .setModel(i % 2 == 0 ? "gpt" : "llama")
                .setMessages(List.of(new ChatMessage(Role.USER, "prompt " + i)))
                .setParameters(GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(64).setTopP(null)
                        .setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                .setSubmittedAt(T0).setDeadline(null).setIdempotencyKey(null).setPriority(0).setAttributes(Map.of())
                .build();
        return base(i, reason, 3).setJob(job).setJobId(job.getJobId()).build();
    }

    private static DeadLetter undecodable(int i) {
        byte[] value = ("not avro " + i).getBytes(StandardCharsets.UTF_8);
        return base(i, "UNKNOWN_MAGIC_BYTE", 0).setJobId("job-" + i)
                .setRawKey(ByteBuffer.wrap(("job-" + i).getBytes(StandardCharsets.UTF_8)))
                .setRawValue(ByteBuffer.wrap(value)).build();
    }

    /** Failed at T0 + i seconds, but out of order: the index sorts by time, not by offset. */
    private static DeadLetter.Builder base(int i, String reason, int attempts) {
        Instant at = T0.plusSeconds((i * 37L) % 211);
        return DeadLetter.newBuilder().setErrorType(reason).setErrorMessage("failed: " + reason).setAttempts(attempts)
                .setSourceTopic("jobs").setSourcePartition(0).setSourceOffset(i).setFirstFailureAt(at)
                .setLastFailureAt(at).setWorkerId("worker-1");
    }

    @Test
    void aCursorWalkListsEveryDeadLetterOnceNewestFirstWithEachPageScanningAtMostTheLimit() throws Exception {
        List<DeadLetterSummary> walked = walk("limit=30", page -> assertThat(page.scanned()).isLessThanOrEqualTo(SCAN_LIMIT));

        assertThat(walked).hasSize(DECODABLE + UNDECODABLE);
        assertThat(walked.stream().map(DeadLetterSummary::id).distinct()).hasSize(DECODABLE + UNDECODABLE);
        assertThat(walked.stream().map(DeadLetterSummary::id).toList()).containsExactlyInAnyOrderElementsOf(atById.keySet());
        for (int i = 1; i < walked.size(); i++) {
            assertThat(walked.get(i).at()).isLessThanOrEqualTo(walked.get(i - 1).at());
        }
        walked.forEach(s -> assertThat(s.at()).isEqualTo(atById.get(s.id())));
        assertThat(walked.stream().filter(s -> !s.decodable()).count()).isEqualTo(UNDECODABLE);
        assertThat(walked.stream().filter(s -> !s.decodable()))
                .allSatisfy(s -> assertThat(s.reason()).isEqualTo("UNKNOWN_MAGIC_BYTE"))
                .allSatisfy(s -> assertThat(s.model()).isNull());
        assertThat(walked).allSatisfy(s -> assertThat(s.mark()).isNull());
    }

    @Test
    void aRareReasonIsFoundThroughBoundedScansThatHandBackACursorEvenWhenThePageIsNotFull() throws Exception {
        List<DeadLetterPage> pages = new ArrayList<>();
        List<DeadLetterSummary> found = walk("reason=TIMEOUT&limit=50", pages::add);

        assertThat(found).extracting(DeadLetterSummary::jobId)
                .containsExactlyInAnyOrder("job-7", "job-47", "job-87", "job-127", "job-167");
        assertThat(pages).allSatisfy(p -> assertThat(p.scanned()).isLessThanOrEqualTo(SCAN_LIMIT));
        assertThat(pages.getFirst().items().size()).isLessThan(50);
        assertThat(pages.getFirst().nextCursor()).isNotNull();
        assertThat(pages.getFirst().scanned()).isEqualTo(SCAN_LIMIT);
        assertThat(pages.size()).isGreaterThanOrEqualTo(3); // 210 summaries, 100 per request
        assertThat(pages.getFirst().counts().byReason()).containsEntry("TIMEOUT", 5L)
                .containsEntry("UNKNOWN_MAGIC_BYTE", (long) UNDECODABLE);
    }

    @Test
    void modelTenantAndTimeFiltersSelectExactlyTheirDeadLetters() throws Exception {
        List<DeadLetterSummary> gptAcme = walk("model=gpt&tenant=acme&limit=200", p -> {});
        long expected = java.util.stream.IntStream.range(0, DECODABLE).filter(i -> i % 2 == 0 && i % 3 == 0).count();
        assertThat(gptAcme).hasSize((int) expected)
                .allSatisfy(s -> assertThat(s.model()).isEqualTo("gpt"))
                .allSatisfy(s -> assertThat(s.tenant()).isEqualTo("acme"));

        long since = T0.plusSeconds(50).toEpochMilli();
        long until = T0.plusSeconds(99).toEpochMilli();
        List<DeadLetterSummary> window = walk("since=" + since + "&until=" + until + "&limit=1000", p -> {});
        long inWindow = atById.values().stream().filter(at -> at >= since && at <= until).count();
        assertThat(window).hasSize((int) inWindow).allSatisfy(s -> assertThat(s.at()).isBetween(since, until));
    }

    @Test
    void inspectReadsTheRecordFromKafkaWithTheDecodedJobOrTheRawBytesAsHex() throws Exception {
        DeadLetterDetail undecodable = detail(undecodableId);
        assertThat(undecodable.decodable()).isFalse();
        assertThat(undecodable.job() == null || undecodable.job().isNull()).as("job %s", undecodable.job()).isTrue();
        assertThat(undecodable.reason()).isEqualTo("UNKNOWN_MAGIC_BYTE");
        assertThat(undecodable.rawValueHex()).isEqualTo(HexFormat.of().formatHex(undecodableValue));
        assertThat(undecodable.rawKeyHex()).isEqualTo(HexFormat.of().formatHex(
                ("job-" + DECODABLE).getBytes(StandardCharsets.UTF_8)));

        DeadLetterSummary decodable = walk("reason=TIMEOUT&limit=50", p -> {}).getFirst();
        DeadLetterDetail detail = detail(decodable.id());
        assertThat(detail.decodable()).isTrue();
        assertThat(detail.job().get("jobId").asText()).isEqualTo(decodable.jobId());
        assertThat(detail.job().get("messages").get(0).get("content").asText()).startsWith("prompt ");
        assertThat(detail.errorMessage()).isEqualTo("failed: TIMEOUT");
        assertThat(detail.rawValueHex()).isNull();
        assertThat(detail.sourceTopic()).isEqualTo("jobs");
    }

    @Test
    void unknownOrMalformedIdsAndCursorsAreProblems() throws Exception {
        assertThat(get("/v1/console/dead-letters/0-999999").statusCode()).isEqualTo(404);
        assertThat(get("/v1/console/dead-letters/7-0").statusCode()).isEqualTo(404);
        HttpResponse<String> badId = get("/v1/console/dead-letters/abc");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(badId.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("problem+json"));
        assertThat(get("/v1/console/dead-letters?cursor=zz").statusCode()).isEqualTo(400);
        assertThat(get("/v1/console/dead-letters?limit=0").statusCode()).isEqualTo(400);
    }

    @Test
    void operatorsMarksShowOnTheirDeadLettersAndAPurgeHidesOneFromThePages(ClusterInfo cluster) throws Exception {
        List<DeadLetterSummary> timeouts = walk("reason=TIMEOUT&limit=50", p -> {});
        String redriven = timeouts.get(0).id();
        String purged = timeouts.get(1).id();
        String marks = topics.deadLetterMarks().name();
        try (KafkaProducer<String, DeadLetterMark> producer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig(producerId),
                topics.deadLetterMarks().keySerializer(), topics.deadLetterMarks().valueSerializer())) {
            producer.send(new ProducerRecord<>(marks, redriven, mark(redriven, DeadLetterMarkType.REDRIVEN))).get();
            producer.send(new ProducerRecord<>(marks, purged, mark(purged, DeadLetterMarkType.PURGED))).get();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                List<DeadLetterSummary> now = walk("reason=TIMEOUT&limit=50", p -> {});
                assertThat(now).extracting(DeadLetterSummary::id).doesNotContain(purged).hasSize(timeouts.size() - 1);
                assertThat(now).filteredOn(s -> s.id().equals(redriven)).singleElement()
                        .extracting(DeadLetterSummary::mark).isEqualTo("REDRIVEN");
            });
            assertThat(detail(purged).mark()).as("inspect still finds a purged one, with its mark").isEqualTo("PURGED");

            producer.send(new ProducerRecord<>(marks, redriven, null)).get();
            producer.send(new ProducerRecord<>(marks, purged, null)).get();
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(walk("reason=TIMEOUT&limit=50", p -> {}))
                    .as("a tombstone unmarks").hasSize(timeouts.size()).allSatisfy(s -> assertThat(s.mark()).isNull()));
        }
    }

    private static DeadLetterMark mark(String id, DeadLetterMarkType type) {
        return DeadLetterMark.newBuilder().setId(id).setMark(type).setAuditId("audit-it").setAt(T0).build();
    }

    private List<DeadLetterSummary> walk(String query, java.util.function.Consumer<DeadLetterPage> eachPage)
            throws Exception {
        List<DeadLetterSummary> all = new ArrayList<>();
        Set<String> cursors = new LinkedHashSet<>();
        String cursor = null;
        do {
            DeadLetterPage page = page(query + (cursor == null ? "" : "&cursor=" + cursor));
            eachPage.accept(page);
            all.addAll(page.items());
            cursor = page.nextCursor();
            assertThat(cursor == null || cursors.add(cursor)).as("cursor %s repeats", cursor).isTrue();
        } while (cursor != null);
        return all;
    }

    private static long total(DeadLetterPage page) {
        return page.counts().byReason().values().stream().mapToLong(Long::longValue).sum();
    }

    private DeadLetterPage page(String query) throws Exception {
        HttpResponse<String> response = get("/v1/console/dead-letters?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return QueryApiJson.MAPPER.readValue(response.body(), DeadLetterPage.class);
    }

    private DeadLetterDetail detail(String id) throws Exception {
        HttpResponse<String> response = get("/v1/console/dead-letters/" + id);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return QueryApiJson.MAPPER.readValue(response.body(), DeadLetterDetail.class);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(aggregator.url() + path)).timeout(Duration.ofSeconds(60))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
