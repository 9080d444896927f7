package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorClient;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.aggregator.JobView;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.llm.ErrorClass;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicSpecs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Redrive end to end on a real broker and registry, with a real worker (exactly-once outcomes), a real aggregator and
 * its console API: jobs dead-lettered by a provider answering 400 are redriven once it is fixed; each redrive makes
 * exactly one more provider call and has one outcome (the job view goes DEAD_LETTERED, QUEUED, RUNNING, SUCCEEDED;
 * the totals count one dead letter and one success), a second redrive of the same dead letter is refused, a copy of
 * the redriven record published again by hand makes no call, and the rate limit paces a bulk redrive.
 */
@PromptqCluster
class RedriveIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String OPERATOR = "op-secret";
    private static final String READER = "read-secret";

    /** A worker, an aggregator and a provider that answers 400 until fixed. */
    private static final class Stack implements AutoCloseable {
        final WorkerItKit kit;
        final AtomicBoolean broken = new AtomicBoolean(true);
        final ItProvider provider = new ItProvider((request, attempt) -> {
            if (broken.get()) {
                throw ItProvider.failure(ErrorClass.INVALID_REQUEST);
            }
            return ItProvider.ok(request, Duration.ZERO);
        });
        final AggregatorService aggregator;
        final PromptqClient client;
        final HttpClient http = HttpClient.newHttpClient();
        Stack(ClusterInfo cluster, String name) throws Exception {
            kit = WorkerItKit.create(cluster, name, 2, 1);
            List<TopicSpec> topics = new ArrayList<>(TopicSpecs.of(kit.names, 2).lifecycle(JobLifecycle.DEFAULT_RETENTION));
            topics.add(TopicSpecs.of(kit.names, 2).idempotency(Idempotency.DEFAULT_WINDOW));
            TopicProvisioner.create(cluster.admin()).ensure(topics);
            Map<String, String> overrides = new HashMap<>();
            overrides.put(WorkerConfig.LOCAL_RETRIES.name(), "0");
            overrides.put(WorkerConfig.TRANSACTIONS.name(), "true");
            kit.start(kit.config("w-" + name, overrides), provider);
            Map<String, String> env = new HashMap<>(kit.names.toConfig());
            env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
            env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
            env.put(AggregatorConfig.APPLICATION_ID.name(), kit.prefix + "-aggregator");
            env.put(AggregatorConfig.STATE_DIR.name(), Files.createTempDirectory("redrive-aggregator").toString());
            env.put(AggregatorConfig.HTTP_PORT.name(), "0");
            env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
            env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "2");
            env.put(AggregatorConfig.READ_TOKENS.name(), READER);
            env.put(AggregatorConfig.OPERATOR_TOKENS.name(), OPERATOR + "=alice");
            aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            aggregator.awaitRunning(TIMEOUT);
            client = PromptqClient.create(ClientConfig.from(ConfigSource.of(kit.env(Map.of()))));
        }

        HttpResponse<String> post(String path, String body, String token) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(aggregator.url() + path))
                    .timeout(Duration.ofSeconds(90)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** Reads {@code topic} start to end, passing each record. */
        void readAll(String topic, BiConsumer<ConsumerRecord<byte[], byte[]>, String> each) {
            Map<String, Object> props = KafkaSettings.of(kit.cluster.bootstrapServers())
                    .consumerConfig("unused", kit.prefix + "-it-reader", Map.of());
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        each.accept(r, r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
                    }
                }
            }
        }

        @Override
        public void close() {
            client.close();
            aggregator.close();
            kit.close();
        }
    }

    @Test
    void aDeadLetterRedrivenAfterTheProviderIsFixedMakesOneMoreCallHasOneOutcomeAndIsNotRedrivenTwice(
            ClusterInfo cluster) throws Exception {
        try (Stack stack = new Stack(cluster, "redrive-one")) {
            String jobId = stack.client.submit(JobRequest.builder().tenant("acme").model("it-model")
                    .user("what is 6 x 7?").idempotencyKey("redrive-" + stack.kit.prefix).build())
                    .get(30, TimeUnit.SECONDS).jobId();
            WorkerItKit.Outcomes outcomes = stack.kit.outcomes();
            await().atMost(TIMEOUT).until(() -> outcomes.results.containsKey(jobId));
            assertThat(outcomes.result(jobId).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
            assertThat(stack.provider.callStarts.get(jobId)).hasSize(1);
            List<String> ids = new ArrayList<>();
            stack.readAll(stack.kit.names.deadLetters(), (r, key) -> {
                if (jobId.equals(key)) {
                    ids.add(r.partition() + "-" + r.offset());
                }
            });
            assertThat(ids).hasSize(1);
            String body = "{\"ids\":[\"" + ids.getFirst() + "\"]}";

            assertThat(stack.post("/v1/console/dead-letters/redrive", body, null).statusCode()).isEqualTo(401);
            assertThat(stack.post("/v1/console/dead-letters/redrive", body, READER).statusCode()).isEqualTo(403);
            stack.broken.set(false);
            HttpResponse<String> redriven = stack.post("/v1/console/dead-letters/redrive", body, OPERATOR);

            assertThat(redriven.statusCode()).as(redriven.body()).isEqualTo(200);
            assertThat(redriven.body()).contains("\"matched\":1").contains("\"redriven\":1");
            await().atMost(TIMEOUT).until(() -> outcomes.results.get(jobId).size() == 2);
            JobResult success = outcomes.result(jobId);
            assertThat(success.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(success.getRedrive()).isEqualTo(1);
            assertThat(stack.provider.callStarts.get(jobId)).hasSize(2);
            try (AggregatorClient aggregator = AggregatorClient.create(stack.aggregator.url(), Duration.ofSeconds(30),
                    OPERATOR)) {
                JobView view = await().atMost(TIMEOUT).ignoreExceptions()
                        .until(() -> aggregator.jobView(jobId, Duration.ZERO, null).orElseThrow(),
                                v -> v.state().equals("SUCCEEDED"));
                assertThat(view.history()).extracting(JobView.Change::state)
                        .containsSubsequence("DEAD_LETTERED", "QUEUED", "RUNNING", "SUCCEEDED");
                assertThat(view.history()).extracting(JobView.Change::version).isSorted();
            }
            JobStats totals = await().atMost(TIMEOUT).ignoreExceptions().until(stack.aggregator::totals,
                    t -> t.getSucceeded() == 1);
            assertThat(totals.getDeadLettered()).isEqualTo(1);
            assertThat(totals.getSucceeded()).isEqualTo(1);

            HttpResponse<String> again = stack.post("/v1/console/dead-letters/redrive", body, OPERATOR);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("\"redriven\":0").contains("already redriven at");

            // the redriven record published twice more by hand, as a producer retry or an operator might
            List<ConsumerRecord<byte[], byte[]>> copies = new ArrayList<>();
            stack.readAll(stack.kit.names.jobs(), (r, key) -> {
                if (jobId.equals(key) && JobHeaders.redrive(r.headers()) == 1) {
                    copies.add(r);
                }
            });
            assertThat(copies).hasSize(1);
            ConsumerRecord<byte[], byte[]> copy = copies.getFirst();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                    KafkaSettings.of(cluster.bootstrapServers()).producerConfig(stack.kit.prefix + "-copier"),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                for (int i = 0; i < 2; i++) {
                    producer.send(new ProducerRecord<>(copy.topic(), copy.partition(), null, copy.key(), copy.value(),
                            copy.headers())).get(30, TimeUnit.SECONDS);
                }
            }
            await().atMost(TIMEOUT).until(() -> stack.kit.committed().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(stack.kit.names.jobs()))
                    .allMatch(e -> e.getValue() >= stack.kit.jobsEndOffsets().getOrDefault(e.getKey(), 0L))
                    && stack.kit.committed().keySet().stream().anyMatch(tp -> tp.equals(
                            new TopicPartition(copy.topic(), copy.partition()))));
            assertThat(stack.provider.callStarts.get(jobId)).as("calls of the job").hasSize(2);
            assertThat(outcomes.results.get(jobId)).hasSize(2);
        }
    }

    @Test
    void aBulkRedriveOfAHundredDeadLettersAtTwentyPerSecondTakesAboutFiveSecondsAndAllSucceed(ClusterInfo cluster)
            throws Exception {
        try (Stack stack = new Stack(cluster, "redrive-bulk")) {
            String tenant = "bulk-" + stack.kit.prefix;
            List<String> jobIds = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                jobIds.add(stack.client.submit(JobRequest.builder().tenant(tenant).model("it-model")
                        .user("question " + i).build()).get(30, TimeUnit.SECONDS).jobId());
            }
            WorkerItKit.Outcomes outcomes = stack.kit.outcomes();
            await().atMost(TIMEOUT).until(() -> outcomes.hasAll(jobIds));
            stack.broken.set(false);
            String body = "{\"filter\":{\"tenant\":\"" + tenant + "\"},\"rate\":20}";

            assertThat(stack.post("/v1/console/dead-letters/redrive", "{\"filter\":{\"tenant\":\"" + tenant
                    + "\"},\"dryRun\":true}", OPERATOR).body()).contains("\"matched\":100").contains("\"redriven\":100");
            long started = System.nanoTime();
            HttpResponse<String> redriven = stack.post("/v1/console/dead-letters/redrive", body, OPERATOR);
            long tookMs = (System.nanoTime() - started) / 1_000_000;

            System.out.println("Redrive of 100 dead letters at 20 jobs/s took " + tookMs + " ms");
            assertThat(redriven.statusCode()).as(redriven.body()).isEqualTo(200);
            assertThat(redriven.body()).contains("\"matched\":100").contains("\"redriven\":100");
            assertThat(tookMs).isGreaterThanOrEqualTo(4_000);
            await().atMost(TIMEOUT).until(() -> jobIds.stream().allMatch(id -> outcomes.results.get(id).size() == 2));
            assertThat(jobIds).allSatisfy(id -> {
                assertThat(outcomes.result(id).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(stack.provider.callStarts.get(id)).hasSize(2);
            });
            assertThat(stack.post("/v1/console/dead-letters/purge", body, READER).statusCode()).isEqualTo(403);
        }
    }
}
