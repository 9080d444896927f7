package io.promptq.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
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
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Capacity of the producer's event streams against the real stack (broker, registry, aggregator, producer, all with
 * their default limits): 1,000 streams opened in one burst from virtual threads through the JDK HttpClient, two per
 * job, every one of them answered 200 and following its job QUEUED, RUNNING, SUCCEEDED to the end of the stream.
 * Prints heap and RSS of this JVM before and while the streams are held.
 */
@PromptqCluster
class SseBurstIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int STREAMS = 1_000;
    private static final int STREAMS_PER_JOB = 2;

    @TempDir
    Path tmp;

    private TopicNames names;
    private SchemaRegistryClient registry;
    private KafkaProducer<String, JobStateChange> states;
    private KafkaProducer<String, JobResult> results;
    private AggregatorService aggregator;
    private ProducerService producer;

    @BeforeEach
    void start(ClusterInfo cluster) {
        String s = UniqueNames.suffix();
        names = new TopicNames("jobs-" + s, "retry-" + s, "dlq-" + s, "results-" + s, "totals-" + s, "windows-" + s);
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        Topics topics = Topics.create(names, registry, true);
        KafkaSettings kafka = KafkaSettings.of(cluster.bootstrapServers());
        states = new KafkaProducer<>(kafka.producerConfig("burst-states-" + s), topics.status().keySerializer(),
                topics.status().valueSerializer());
        results = new KafkaProducer<>(kafka.producerConfig("burst-results-" + s), topics.results().keySerializer(),
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
        ClientConfig client = ClientConfig.of(kafka, RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder()
                .topics(names).rules(ValidationRules.defaults()).clientId("sse-burst-it")
                .jobIdKey(JobIdKey.of("sse-burst-it-secret-key-of-at-least-32-chars")).build();
        producer = ProducerService.start(ProducerServiceConfig.defaults(client).toBuilder().httpPort(0)
                .createTopics(false).authTokens(AuthTokens.parse("acme-token=acme")).aggregatorUrl(aggregator.url())
                .build(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    @AfterEach
    void stop() {
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

    @Test
    void aBurstOfAThousandEventStreamsAllFollowTheirJobsToTheEnd() throws Exception {
        int jobs = STREAMS / STREAMS_PER_JOB;
        String prefix = "burst-" + UniqueNames.suffix() + "-";
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int j = 0; j < jobs; j++) {
            states.send(new ProducerRecord<>(names.status(), prefix + j, change(prefix + j, JobState.QUEUED, 0, now)));
        }
        states.flush();
        try (HttpClient probe = HttpClient.newHttpClient()) {
            for (int j : new int[] {0, jobs - 1}) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producer.port()
                        + "/v1/jobs/" + prefix + j)).header("Authorization", "Bearer acme-token").build();
                await().atMost(TIMEOUT).until(() -> probe.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200);
            }
        }
        long heapBefore = usedHeapAfterGc();
        long rssBefore = rssKb();

        Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
        CountDownLatch queuedSeen = new CountDownLatch(STREAMS);
        List<Future<List<String>>> streams = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(60)).build();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            for (int i = 0; i < STREAMS; i++) {
                String job = prefix + (i % jobs);
                streams.add(threads.submit(() -> {
                    go.await();
                    return follow(http, job, queuedSeen, errors);
                }));
            }
            long opening = System.nanoTime();
            go.countDown();
            boolean allQueued = queuedSeen.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            System.out.printf("SSE burst: %d streams opened and at QUEUED in %d ms (all: %s); errors so far %s%n",
                    STREAMS, (System.nanoTime() - opening) / 1_000_000, allQueued, errors);
            Thread.sleep(2_000);
            long heapWith = usedHeapAfterGc();
            long rssWith = rssKb();
            System.out.printf("SSE burst: %d streams held (%d jobs); heap used after GC %d MiB -> %d MiB (+%d KiB per "
                    + "stream); RSS %d MiB -> %d MiB (producer, aggregator, broker-side clients and the %d client "
                    + "connections in one JVM)%n", STREAMS, jobs, heapBefore >> 20, heapWith >> 20,
                    (heapWith - heapBefore) / 1024 / STREAMS, rssBefore >> 10, rssWith >> 10, STREAMS);

            Instant later = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            for (int j = 0; j < jobs; j++) {
                states.send(new ProducerRecord<>(names.status(), prefix + j, change(prefix + j, JobState.RUNNING, 1,
                        later)));
            }
            states.flush();
            Thread.sleep(1_000);
            for (int j = 0; j < jobs; j++) {
                results.send(new ProducerRecord<>(names.results(), prefix + j, succeeded(prefix + j, later)));
            }
            results.flush();
            int complete = 0;
            for (Future<List<String>> stream : streams) {
                List<String> seen = stream.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (seen.equals(List.of("QUEUED", "RUNNING", "SUCCEEDED"))) {
                    complete++;
                } else {
                    errors.computeIfAbsent("states " + seen, k -> new AtomicInteger()).incrementAndGet();
                }
            }
            System.out.printf("SSE burst: %d of %d streams saw QUEUED, RUNNING, SUCCEEDED; errors %s%n", complete,
                    STREAMS, errors);
            assertThat(errors).as("errors by kind").isEmpty();
            assertThat(complete).isEqualTo(STREAMS);
        } finally {
            http.close();
        }
    }

    /** Follows one job's event stream to its end: the states it saw, in order; failures counted in {@code errors}. */
    private List<String> follow(HttpClient http, String job, CountDownLatch queuedSeen,
            Map<String, AtomicInteger> errors) {
        List<String> seen = new ArrayList<>();
        boolean counted = false;
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + producer.port()
                    + "/v1/jobs/" + job + "/events")).header("Authorization", "Bearer acme-token")
                    .header("Accept", "text/event-stream").build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                if (response.statusCode() != 200) {
                    String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
                    errors.computeIfAbsent("HTTP " + response.statusCode() + " " + body.replaceAll("[0-9]{2,}", "N"),
                            k -> new AtomicInteger()).incrementAndGet();
                    return seen;
                }
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ")) {
                        int at = line.indexOf("\"state\":\"");
                        seen.add(line.substring(at + 9, line.indexOf('"', at + 9)));
                        if (!counted) {
                            counted = true;
                            queuedSeen.countDown();
                        }
                    } else if (line.startsWith(": ") && !line.equals(": heartbeat")) {
                        errors.computeIfAbsent("comment " + line, k -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }
        } catch (Exception e) {
            errors.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
        } finally {
            if (!counted) {
                queuedSeen.countDown();
            }
        }
        return seen;
    }

    private static JobStateChange change(String jobId, JobState state, int attempt, Instant at) {
        return JobStateChange.newBuilder().setJobId(jobId).setTenant("acme").setState(state).setAt(at)
                .setAttempt(attempt).setWorkerId(state == JobState.QUEUED ? null : "worker-" + attempt).build();
    }

    private static JobResult succeeded(String jobId, Instant at) {
        return JobResult.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt").setStatus(JobStatus.SUCCEEDED)
                .setOutput("the answer").setFinishReason("stop")
                .setUsage(TokenUsage.newBuilder().setPromptTokens(10).setCompletionTokens(20).build()).setAttempts(1)
                .setAttemptDurationsMs(List.of(300L)).setQueueWaitMs(5).setProviderMs(300).setEndToEndMs(2_000)
                .setSubmittedAt(at.minusSeconds(2)).setCompletedAt(at).setWorkerId("worker-1").setProvider("fake")
                .setAttributes(Map.of()).build();
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
