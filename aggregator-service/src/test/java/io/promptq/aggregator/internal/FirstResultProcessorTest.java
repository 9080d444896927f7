package io.promptq.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FirstResultProcessorTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    private final Topics topics = Topics.create(TopicNames.defaults(), SchemaRegistryClient.inMemory(), true);
    private final AtomicInteger decodes = new AtomicInteger();
    private final MockProcessorContext<String, CountedResult> context = new MockProcessorContext<>();
    private FirstResultProcessor processor;
    private Serde<JobResult> stored;
    private KeyValueStore<String, byte[]> results;

    @BeforeEach
    void setUp() {
        Serde<JobResult> registrySerde = topics.results().valueSerde();
        Deserializer<JobResult> counting = (topic, data) -> {
            decodes.incrementAndGet();
            return registrySerde.deserializer().deserialize(topic, data);
        };
        stored = FixedSubjectSerde.of(Serdes.serdeFrom(registrySerde.serializer(), counting),
                topics.results().name());
        results = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("results"), Serdes.String(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        KeyValueStore<String, String> statuses = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("statuses"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        KeyValueStore<Bytes, byte[]> expiry = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore("expiry"), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled().build();
        results.init(context.getStateStoreContext(), results);
        statuses.init(context.getStateStoreContext(), statuses);
        expiry.init(context.getStateStoreContext(), expiry);
        context.addStateStore(results);
        context.addStateStore(statuses);
        context.addStateStore(expiry);
        processor = new FirstResultProcessor("results", "statuses", "expiry", Duration.ofHours(1),
                new AggregatorMetrics(new SimpleMeterRegistry()), stored);
        processor.init(context);
    }

    private void process(String jobId, JobStatus status, long seconds) {
        processor.process(new Record<>(jobId, result(jobId, status, seconds), T0.plusSeconds(seconds).toEpochMilli()));
    }

    private List<CountedResult> forwarded() {
        return context.forwarded().stream().<CountedResult>map(f -> f.record().value()).toList();
    }

    @Test
    void knownJobsAreRecognisedWithoutDecodingTheStoredResult() {
        process("j1", JobStatus.SUCCEEDED, 0);
        process("j1", JobStatus.SUCCEEDED, 1);
        process("j1", JobStatus.DEAD_LETTERED, 2);
        process("j2", JobStatus.EXPIRED, 3);
        process("j2", JobStatus.DEAD_LETTERED, 4);

        assertThat(forwarded()).extracting(c -> c.result().getJobId()).containsExactly("j1", "j2");
        assertThat(decodes).as("stored results decoded for the existence check").hasValue(0);
    }

    @Test
    void aLaterSuccessStillSupersedesADeadLetterOrAnExpiryWithoutDecodingTheStoredResult() {
        process("j1", JobStatus.DEAD_LETTERED, 0);
        process("j2", JobStatus.EXPIRED, 1);
        process("j1", JobStatus.SUCCEEDED, 2);
        process("j2", JobStatus.SUCCEEDED, 3);
        process("j1", JobStatus.SUCCEEDED, 4); // nothing replaces a success

        assertThat(forwarded()).extracting(CountedResult::supersedes)
                .containsExactly(null, null, JobStatus.DEAD_LETTERED, JobStatus.EXPIRED);
        assertThat(decodes).hasValue(0);
    }

    @Test
    void aResultStoredByAnEarlierVersionWithoutStatusEntryIsDecodedForThePrecedenceRule() {
        // the results store restored from an older deployment's changelog; the status store is new and empty
        results.put("old", stored.serializer().serialize("results", result("old", JobStatus.DEAD_LETTERED, 0)));

        process("old", JobStatus.DEAD_LETTERED, 1);
        process("old", JobStatus.SUCCEEDED, 2);
        process("old", JobStatus.SUCCEEDED, 3);

        assertThat(forwarded()).extracting(CountedResult::supersedes).containsExactly(JobStatus.DEAD_LETTERED);
        assertThat(decodes).as("decoded once, then known by its new status entry").hasValue(1);
    }

    private void process(String jobId, JobStatus status, long seconds, int generation) {
        JobResult r = result(jobId, status, seconds);
        r.setRedrive(generation);
        processor.process(new Record<>(jobId, r, T0.plusSeconds(seconds).toEpochMilli()));
    }

    @Test
    void eachRedriveGenerationHasOneCountedResultAndOlderGenerationsAreDuplicates() {
        process("j1", JobStatus.DEAD_LETTERED, 0, 0);
        process("j1", JobStatus.SUCCEEDED, 1, 1); // the redrive's outcome: counted as well, replacing nothing
        process("j1", JobStatus.SUCCEEDED, 2, 1); // a second outcome of generation 1
        process("j1", JobStatus.DEAD_LETTERED, 3, 0); // a late copy of generation 0
        process("j1", JobStatus.DEAD_LETTERED, 4, 2);
        process("j1", JobStatus.SUCCEEDED, 5, 2); // within a generation a success still replaces a dead letter

        assertThat(forwarded()).extracting(c -> c.result().getRedrive() + ":" + c.result().getStatus() + ":"
                + c.supersedes())
                .containsExactly("0:DEAD_LETTERED:null", "1:SUCCEEDED:null", "2:DEAD_LETTERED:null",
                        "2:SUCCEEDED:DEAD_LETTERED");
        assertThat(decodes).hasValue(0);
    }

    @Test
    void statusEntriesOfGenerationZeroKeepTheirFormerFormat() {
        assertThat(FirstResultProcessor.statusEntry(JobStatus.SUCCEEDED, 0)).isEqualTo("SUCCEEDED");
        assertThat(FirstResultProcessor.statusEntry(JobStatus.SUCCEEDED, 3)).isEqualTo("SUCCEEDED@3");
        assertThat(FirstResultProcessor.parseEntry("DEAD_LETTERED"))
                .isEqualTo(new FirstResultProcessor.Stored(JobStatus.DEAD_LETTERED, 0));
        assertThat(FirstResultProcessor.parseEntry("SUCCEEDED@3"))
                .isEqualTo(new FirstResultProcessor.Stored(JobStatus.SUCCEEDED, 3));
    }

    private static JobResult result(String jobId, JobStatus status, long seconds) {
        Instant completedAt = T0.plusSeconds(seconds);
        return JobResult.newBuilder()
                .setJobId(jobId)
                .setTenant("acme")
                .setModel("gpt")
                .setStatus(status)
                .setUsage(TokenUsage.newBuilder().setPromptTokens(1).setCompletionTokens(1).build())
                .setAttempts(1)
                .setAttemptDurationsMs(List.of(100L))
                .setQueueWaitMs(0)
                .setProviderMs(100)
                .setEndToEndMs(1000)
                .setSubmittedAt(completedAt.minusSeconds(1))
                .setCompletedAt(completedAt)
                .setWorkerId("worker-1")
                .setProvider("fake")
                .setAttributes(Map.of())
                .build();
    }
}
