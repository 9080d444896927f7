package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.view.JobIndex;
import io.promptq.config.ConfigSource;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import io.promptq.schema.StatsScope;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregatorTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.create(TopicNames.defaults(), SchemaRegistryClient.inMemory(), true);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, JobResult> results;
    private TestInputTopic<byte[], DeadLetter> deadLetters;
    private TestOutputTopic<String, JobStats> totals;
    private TestOutputTopic<String, JobStats> windows;

    private void start(Map<String, String> settings) {
        AggregatorConfig config = AggregatorConfig.from(ConfigSource.of(settings));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "aggregator-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(
                AggregatorTopology.build(config, topics, Clock.fixed(NOW, ZoneOffset.UTC), meters), props);
        results = driver.createInputTopic(topics.results().name(), Serdes.String().serializer(),
                topics.results().valueSerializer());
        deadLetters = driver.createInputTopic(topics.deadLetters().name(), Serdes.ByteArray().serializer(),
                topics.deadLetters().valueSerializer());
        totals = driver.createOutputTopic(topics.totals().name(), Serdes.String().deserializer(),
                topics.totals().valueDeserializer());
        windows = driver.createOutputTopic(topics.windows().name(), Serdes.String().deserializer(),
                topics.windows().valueDeserializer());
    }

    private void start() {
        start(Map.of(AggregatorConfig.WINDOW.name(), "1m", AggregatorConfig.GRACE.name(), "30s"));
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Publishes {@code result} as a worker does: appended right when it completed. */
    private void publish(JobResult result) {
        results.pipeInput(result.getJobId(), result, result.getCompletedAt());
    }

    /** The first result of {@code jobId} kept by the dedup store (stored encoded), or null. */
    private JobResult storedResult(String jobId) {
        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(AggregatorTopology.RESULTS_STORE);
        byte[] bytes = store.get(jobId);
        return bytes == null ? null : AggregatorTopology.storedResultSerde(topics).deserializer()
                .deserialize(topics.results().name(), bytes);
    }

    private Map<String, JobStats> latestTotals() {
        return totals.readKeyValuesToMap();
    }

    @Test
    void deduplicatesByJobIdBeforeTheOneRepartitionByScope() {
        String description = AggregatorTopology.build(AggregatorConfig.from(ConfigSource.empty()), topics).describe().toString();

        // by-scope repartition, totals, windows; and the batches' own repartition of batch jobs' results by batch id
        assertThat(description.split("Sink: ")).hasSize(5);
        assertThat(description).contains("batch-results-repartition-sink");
        String beforeRepartition = description.substring(0, description.indexOf("Sub-topology: 1"));
        assertThat(beforeRepartition).contains("first-result-per-job").contains("by-scope-repartition-sink");
    }

    @Test
    void countsOutcomesPerModelTenantAndOverall() {
        start();
        publish(Results.result("j1", "gpt", "acme", JobStatus.SUCCEEDED, T0, 1000, 10, 20, 300));
        publish(Results.result("j2", "gpt", "acme", JobStatus.DEAD_LETTERED, T0.plusSeconds(1), 2000, 10, 0, 100, 200, 300));
        publish(Results.result("j3", "llama", "acme", JobStatus.EXPIRED, T0.plusSeconds(2), 9000, 0, 0));
        publish(Results.result("j4", "llama", "globex", JobStatus.CANCELLED, T0.plusSeconds(3), 50, 0, 0));
        publish(Results.result("j5", "llama", "globex", JobStatus.UNKNOWN, T0.plusSeconds(4), 70, 1, 1, 40));

        Map<String, JobStats> latest = latestTotals();
        assertThat(latest).containsOnlyKeys("overall", "model:gpt", "model:llama", "tenant:acme", "tenant:globex");
        JobStats overall = latest.get("overall");
        assertThat(overall.getScope()).isEqualTo(StatsScope.OVERALL);
        assertThat(overall.getScopeValue()).isEqualTo("*");
        assertThat(overall.getWindowStart()).isNull();
        assertThat(List.of(overall.getTotal(), overall.getSucceeded(), overall.getDeadLettered(), overall.getExpired(),
                overall.getCancelled(), overall.getOther())).containsExactly(5L, 1L, 1L, 1L, 1L, 1L);
        assertThat(overall.getUpdatedAt()).isEqualTo(NOW);
        JobStats gpt = latest.get("model:gpt");
        assertThat(List.of(gpt.getTotal(), gpt.getSucceeded(), gpt.getDeadLettered())).containsExactly(2L, 1L, 1L);
        assertThat(latest.get("tenant:acme").getTotal()).isEqualTo(3);
        assertThat(latest.get("tenant:globex").getScope()).isEqualTo(StatsScope.TENANT);
        assertThat(latest.get("tenant:globex").getOther()).isEqualTo(1);
    }

    @Test
    void sumsRetriesAttemptsTokensAndProviderTimePerAttempt() {
        start();
        publish(Results.result("j1", "gpt", "acme", JobStatus.SUCCEEDED, T0, 1000, 10, 20, 300));
        publish(Results.result("j2", "gpt", "acme", JobStatus.SUCCEEDED, T0, 2000, 11, 21, 100, 200, 300));
        publish(Results.result("j3", "gpt", "acme", JobStatus.DEAD_LETTERED, T0, 3000, 12, 0, 50, 60));
        publish(Results.result("j4", "gpt", "acme", JobStatus.EXPIRED, T0, 4000, 0, 0));

        JobStats overall = latestTotals().get("overall");
        assertThat(overall.getTotalAttempts()).isEqualTo(6);
        assertThat(overall.getTotalRetries()).isEqualTo(3);
        assertThat(overall.getJobsRetried()).isEqualTo(2);
        assertThat(overall.getPromptTokens()).isEqualTo(33);
        assertThat(overall.getCompletionTokens()).isEqualTo(41);
        assertThat(overall.getProviderLatency().getCount()).isEqualTo(6);
        assertThat(overall.getProviderLatency().getSumMs()).isEqualTo(1010);
        assertThat(overall.getProviderLatency().getMinMs()).isEqualTo(50);
        assertThat(overall.getProviderLatency().getMaxMs()).isEqualTo(300);
        assertThat(overall.getEndToEndLatency().getCount()).isEqualTo(4);
        assertThat(overall.getEndToEndLatency().getMeanMs()).isEqualTo(2500);
    }

    @Test
    void duplicateResultsOfAJobAreCountedOnce() {
        start();
        JobResult first = Results.result("j1", "gpt", "acme", JobStatus.SUCCEEDED, T0, 1000, 10, 20, 300);
        publish(first);
        publish(first);
        // a redelivery with a different outcome: the first terminal result wins
        publish(Results.result("j1", "gpt", "acme", JobStatus.DEAD_LETTERED, T0.plusSeconds(5), 1000, 10, 20, 300, 300));
        publish(Results.succeeded("j2", "gpt", "acme", T0.plusSeconds(1)));
        publish(Results.succeeded("j2", "gpt", "acme", T0.plusSeconds(1)));

        JobStats overall = latestTotals().get("overall");
        assertThat(overall.getTotal()).isEqualTo(2);
        assertThat(overall.getSucceeded()).isEqualTo(2);
        assertThat(overall.getDeadLettered()).isZero();
        assertThat(overall.getTotalAttempts()).isEqualTo(2);
        assertThat(meters.get(AggregatorMetrics.RESULTS).tag("outcome", "duplicate").counter().count()).isEqualTo(3);
        assertThat(meters.get(AggregatorMetrics.RESULTS).tag("outcome", "counted").counter().count()).isEqualTo(2);
        assertThat(storedResult("j1").getStatus()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aLaterSuccessSupersedesACountedDeadLetterWithoutCountingTheJobTwice() {
        start();
        // dead-lettered after 2 attempts at T0, redriven and succeeded (1 attempt) two minutes later
        publish(Results.result("j1", "gpt", "acme", JobStatus.DEAD_LETTERED, T0, 4000, 10, 0, 100, 200));
        publish(Results.result("j1", "gpt", "acme", JobStatus.SUCCEEDED, T0.plusSeconds(120), 9000, 10, 30, 300));
        // anything after the success is a duplicate
        publish(Results.result("j1", "gpt", "acme", JobStatus.DEAD_LETTERED, T0.plusSeconds(130), 9000, 10, 0, 50));

        JobStats overall = latestTotals().get("overall");
        assertThat(overall.getTotal()).isEqualTo(1);
        assertThat(overall.getSucceeded()).isEqualTo(1);
        assertThat(overall.getDeadLettered()).isZero();
        assertThat(overall.getTotalAttempts()).isEqualTo(3);
        assertThat(overall.getTotalRetries()).isEqualTo(2);
        assertThat(overall.getCompletionTokens()).isEqualTo(30);
        assertThat(overall.getEndToEndLatency().getCount()).isEqualTo(1);
        assertThat(overall.getEndToEndLatency().getMeanMs()).isEqualTo(4000);
        assertThat(storedResult("j1").getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(meters.get(AggregatorMetrics.RESULTS).tag("outcome", "superseded").counter().count()).isEqualTo(1);
        assertThat(meters.get(AggregatorMetrics.RESULTS).tag("outcome", "duplicate").counter().count()).isEqualTo(1);

        Map<String, JobStats> latest = windows.readKeyValuesToMap();
        JobStats deadLetterWindow = latest.get("overall@" + T0.toEpochMilli());
        JobStats successWindow = latest.get("overall@" + T0.plusSeconds(120).toEpochMilli());
        assertThat(deadLetterWindow.getDeadLettered()).isEqualTo(1);
        assertThat(deadLetterWindow.getSucceeded()).isZero();
        assertThat(successWindow.getSucceeded()).isEqualTo(1);
        assertThat(successWindow.getDeadLettered()).isZero();
    }

    @Test
    void deadLettersOfUndecodableRecordsCountAsUndecodableInTheOverallTotalsOnly() {
        start();
        // a job dead-lettered by the worker: its DEAD_LETTERED result counts it, its dead letter does not again
        publish(Results.result("j1", "gpt", "acme", JobStatus.DEAD_LETTERED, T0, 1000, 10, 0, 100));
        deadLetters.pipeInput("j1".getBytes(), deadLetter("j1", "PROVIDER_5XX", 1), T0);
        // two records the worker could not decode: a dead letter each, no result
        deadLetters.pipeInput("k1".getBytes(), deadLetter("k1", "UNKNOWN_MAGIC_BYTE", 0), T0.plusSeconds(1));
        deadLetters.pipeInput(null, deadLetter(null, "DESERIALIZATION", 0), T0.plusSeconds(2));

        Map<String, JobStats> latest = latestTotals();
        JobStats overall = latest.get("overall");
        assertThat(overall.getUndecodable()).isEqualTo(2);
        assertThat(overall.getTotal()).isEqualTo(1);
        assertThat(overall.getDeadLettered()).isEqualTo(1);
        assertThat(latest.get("model:gpt").getUndecodable()).isZero();
        assertThat(latest.get("tenant:acme").getUndecodable()).isZero();
        assertThat(latest).containsOnlyKeys("overall", "model:gpt", "tenant:acme");
    }

    private static DeadLetter deadLetter(String jobId, String errorType, int attempts) {
        return DeadLetter.newBuilder()
                .setJobId(jobId)
                .setErrorType(errorType)
                .setErrorMessage("test")
                .setAttempts(attempts)
                .setSourceTopic("promptq.jobs")
                .setSourcePartition(0)
                .setSourceOffset(1)
                .setFirstFailureAt(T0)
                .setLastFailureAt(T0)
                .setWorkerId("worker-1")
                .build();
    }

    @Test
    void resultsWithoutValueAreIgnored() {
        start();
        results.pipeInput("j1", null);
        publish(Results.succeeded("j2", "gpt", "acme", T0));

        assertThat(latestTotals().get("overall").getTotal()).isEqualTo(1);
        assertThat(meters.get(AggregatorMetrics.RESULTS).tag("outcome", "invalid").counter().count()).isEqualTo(1);
    }

    @Test
    void windowsTumbleAtTheirBoundariesByCompletionTime() {
        start();
        publish(Results.succeeded("a", "gpt", "acme", T0));
        publish(Results.succeeded("b", "gpt", "acme", T0.plusMillis(59_999)));
        publish(Results.succeeded("c", "gpt", "acme", T0.plusSeconds(60)));
        publish(Results.succeeded("d", "llama", "acme", T0.plusSeconds(61)));

        Map<String, JobStats> latest = windows.readKeyValuesToMap();
        long w0 = T0.toEpochMilli();
        long w1 = w0 + 60_000;
        assertThat(latest).containsOnlyKeys("overall@" + w0, "overall@" + w1, "model:gpt@" + w0, "model:gpt@" + w1,
                "model:llama@" + w1);
        assertThat(latest.get("overall@" + w0).getTotal()).isEqualTo(2);
        assertThat(latest.get("overall@" + w1).getTotal()).isEqualTo(2);
        assertThat(latest.get("model:gpt@" + w1).getTotal()).isEqualTo(1);
        JobStats first = latest.get("model:gpt@" + w0);
        assertThat(first.getScope()).isEqualTo(StatsScope.MODEL);
        assertThat(first.getWindowStart()).isEqualTo(T0);
        assertThat(first.getWindowEnd()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void lateResultWithinGraceCountsInItsWindowAndLaterOnesOnlyInTotals() {
        start();
        long w0 = T0.toEpochMilli();
        publish(Results.succeeded("a", "gpt", "acme", T0.plusSeconds(10)));
        publish(Results.succeeded("b", "gpt", "acme", T0.plusSeconds(80))); // stream time 1:20, window 0 open until 1:30
        publish(Results.succeeded("late-in-grace", "gpt", "acme", T0.plusSeconds(50)));
        publish(Results.succeeded("c", "gpt", "acme", T0.plusSeconds(100))); // stream time 1:40: window 0 closed
        publish(Results.succeeded("too-late", "gpt", "acme", T0.plusSeconds(55)));

        Map<String, JobStats> latest = windows.readKeyValuesToMap();
        assertThat(latest.get("overall@" + w0).getTotal()).isEqualTo(2);
        assertThat(latest.get("overall@" + (w0 + 60_000)).getTotal()).isEqualTo(2);
        assertThat(latestTotals().get("overall").getTotal()).isEqualTo(5);
    }

    @Test
    void windowSizeAndGraceAreConfigurable() {
        start(Map.of(AggregatorConfig.WINDOW.name(), "10s", AggregatorConfig.GRACE.name(), "0s"));
        long w0 = T0.toEpochMilli();
        publish(Results.succeeded("a", "gpt", "acme", T0.plusSeconds(1)));
        publish(Results.succeeded("b", "gpt", "acme", T0.plusSeconds(12)));
        publish(Results.succeeded("late", "gpt", "acme", T0.plusSeconds(9)));

        Map<String, JobStats> latest = windows.readKeyValuesToMap();
        assertThat(latest.get("overall@" + w0).getTotal()).isEqualTo(1);
        assertThat(latest.get("overall@" + w0).getWindowEnd()).isEqualTo(T0.plusSeconds(10));
        assertThat(latest.get("overall@" + (w0 + 10_000)).getTotal()).isEqualTo(1);
    }

    @Test
    void percentilesThroughTheTopologyAreWithinOnePercentOfExactQuantiles() {
        start();
        Random random = new Random(11);
        List<Long> provider = new ArrayList<>();
        List<Long> endToEnd = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            long p1 = Math.round(Math.exp(Math.log(800) + 0.9 * random.nextGaussian()));
            long p2 = Math.round(Math.exp(Math.log(800) + 0.9 * random.nextGaussian()));
            long e2e = p1 + p2 + Math.round(Math.exp(Math.log(200) + random.nextGaussian()));
            provider.add(p1);
            provider.add(p2);
            endToEnd.add(e2e);
            publish(Results.result("job-" + i, i % 2 == 0 ? "gpt" : "llama", "acme", JobStatus.SUCCEEDED,
                    T0.plusMillis(i), e2e, 1, 1, p1, p2));
        }

        JobStats overall = latestTotals().get("overall");
        assertWithinOnePercent(overall.getProviderLatency().getP50Ms(), provider, 0.50);
        assertWithinOnePercent(overall.getProviderLatency().getP90Ms(), provider, 0.90);
        assertWithinOnePercent(overall.getProviderLatency().getP95Ms(), provider, 0.95);
        assertWithinOnePercent(overall.getProviderLatency().getP99Ms(), provider, 0.99);
        assertWithinOnePercent(overall.getEndToEndLatency().getP50Ms(), endToEnd, 0.50);
        assertWithinOnePercent(overall.getEndToEndLatency().getP99Ms(), endToEnd, 0.99);
        assertThat(overall.getProviderLatency().getCount()).isEqualTo(4_000);
        assertThat(overall.getProviderLatency().getSumMs()).isEqualTo(provider.stream().mapToLong(Long::longValue).sum());
    }

    private static void assertWithinOnePercent(double actual, List<Long> samples, double q) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        double exact = sorted[(int) Math.floor(q * (sorted.length - 1))];
        assertThat(actual).as("p%s", q * 100).isCloseTo(exact, within(exact * 0.01));
    }

    @Test
    void firstResultOfEachJobIsKeptAndForgottenAfterTheDedupRetention() {
        start(Map.of(AggregatorConfig.DEDUP_RETENTION.name(), "1h"));
        publish(Results.succeeded("old", "gpt", "acme", T0));
        assertThat(storedResult("old").getModel()).isEqualTo("gpt");

        publish(Results.succeeded("new", "gpt", "acme", T0.plus(Duration.ofMinutes(61))));

        assertThat(storedResult("old")).isNull();
        assertThat(storedResult("new")).isNotNull();
        assertThat(meters.get(AggregatorMetrics.DEDUP_EXPIRED).counter().count()).isEqualTo(1);
        // documented trade-off: a duplicate arriving after the retention counts again
        publish(Results.succeeded("old", "gpt", "acme", T0));
        assertThat(latestTotals().get("overall").getTotal()).isEqualTo(3);
    }

    @Test
    void aJobHasOneIndexEntryWithItsLatestStateForgottenWithItsViewAfterTheRetention() {
        start(Map.of(JobLifecycle.RETENTION.name(), "1h"));
        TestInputTopic<String, JobStateChange> status = driver.createInputTopic(topics.status().name(),
                Serdes.String().serializer(), topics.status().valueSerializer());
        status.pipeInput("old", JobStateChange.newBuilder().setJobId("old").setTenant("acme").setState(JobState.QUEUED)
                .setAt(T0).setAttempt(0).build(), T0);
        assertThat(indexEntries("acme")).containsExactly("old QUEUED");
        publish(Results.succeeded("old", "gpt", "acme", T0.plusSeconds(5)));
        assertThat(indexEntries("acme")).containsExactly("old SUCCEEDED");

        publish(Results.succeeded("new", "gpt", "acme", T0.plus(Duration.ofMinutes(61))));

        assertThat(indexEntries("acme")).containsExactly("new SUCCEEDED");
        assertThat(driver.getKeyValueStore(AggregatorTopology.JOB_VIEW_STORE).get("old")).isNull();
    }

    private List<String> indexEntries(String tenant) {
        KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(AggregatorTopology.JOB_INDEX_STORE);
        List<String> entries = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                byte[] position = JobIndex.positionOf(tenant, entry.key);
                JobSummary job = JobIndex.decode(tenant, position, entry.value);
                entries.add(job.jobId() + " " + job.state());
            }
        }
        return entries;
    }

    @Test
    void aResultFromTheFarFutureDoesNotCloseTheWindowsOfLaterNormalResults() {
        start();
        long w0 = T0.toEpochMilli();
        results.pipeInput("future", Results.succeeded("future", "gpt", "acme", T0.plus(Duration.ofDays(3650))), T0);
        publish(Results.succeeded("a", "gpt", "acme", T0.plusSeconds(10)));
        publish(Results.succeeded("b", "gpt", "acme", T0.plusSeconds(20)));

        Map<String, JobStats> latest = windows.readKeyValuesToMap();
        assertThat(latest.get("overall@" + w0).getTotal()).isEqualTo(3);
        assertThat(latest).containsOnlyKeys("overall@" + w0, "model:gpt@" + w0);
        assertThat(meters.get(AggregatorMetrics.CLAMPED).counter().count()).isEqualTo(1);
    }

    @Test
    void aResultFromTheFarFutureDoesNotMakeTheDedupForgetEarlierJobs() {
        start(Map.of(AggregatorConfig.DEDUP_RETENTION.name(), "1h"));
        publish(Results.succeeded("a", "gpt", "acme", T0));
        results.pipeInput("future", Results.succeeded("future", "gpt", "acme", T0.plus(Duration.ofDays(3650))), T0);
        publish(Results.succeeded("a", "gpt", "acme", T0));

        assertThat(latestTotals().get("overall").getTotal()).isEqualTo(2);
        assertThat(meters.get(AggregatorMetrics.DEDUP_EXPIRED).counter().count()).isZero();
    }
}
