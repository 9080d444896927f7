package io.promptq.aggregator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.aggregator.batch.BatchAggregation;
import io.promptq.aggregator.deadletters.DeadLetterIndex;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.CompletedAtTimestampExtractor;
import io.promptq.aggregator.internal.CountedResult;
import io.promptq.aggregator.internal.FirstResultProcessor;
import io.promptq.aggregator.internal.FixedSubjectSerde;
import io.promptq.aggregator.internal.RegistryStatus;
import io.promptq.aggregator.internal.RegistryWaitingDeserializer;
import io.promptq.aggregator.internal.UndecodableDeadLetters;
import io.promptq.aggregator.internal.view.JobViewProcessor;
import io.promptq.aggregator.internal.view.JobViewWaiters;
import io.promptq.aggregator.internal.view.ViewInput;
import io.promptq.retry.Backoff;
import io.promptq.aggregator.stats.JobSample;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStats;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The aggregator's Kafka Streams topology, built by a pure function of the configuration so that tests run
 * the very same topology in a {@code TopologyTestDriver}.
 *
 * <pre>
 * results (key jobId, event time = completedAt)
 *   → dedup by jobId ({@value #RESULTS_STORE}: first result per job, + {@value #RESULTS_STATUS_STORE}
 *     + {@value #RESULTS_EXPIRY_STORE}); a later
 *     SUCCEEDED replaces a counted DEAD_LETTERED / EXPIRED result (redrive) and moves the job's count
 *   → one {@link JobSample} per scope: overall, model:&lt;m&gt;, tenant:&lt;t&gt;
 *   + dead letters of records the workers could not decode (they have no result) → one overall sample each
 *   → repartition by scope
 *   ├→ all-time aggregate ({@value #TOTALS_STORE}) → totals topic (key = scope)
 *   └→ (overall and models) tumbling windows with grace ({@value #WINDOWS_STORE}), counting terminal results as
 *      events in the window they happened in → windows topic
 *      (key = scope@windowStartMillis)
 *
 * dead letters (key jobId) → a summary per dead letter ({@value #DEAD_LETTER_INDEX_STORE}, newest first) + counts
 *   per reason, model and tenant ({@value #DEAD_LETTER_COUNTS_STORE})
 *
 * status (key jobId) + results → one {@link JobView} per job ({@value #JOB_VIEW_STORE}, expired after the lifecycle
 *   retention through {@value #JOB_VIEW_EXPIRY_STORE}), and each tenant's jobs by time ({@value #JOB_INDEX_STORE});
 *   the two topics are co-partitioned by job id
 *
 * batches (key batch id) + results of batch jobs re-keyed by batch id → each batch's state, lines and tenant index
 *   (see {@link BatchAggregation})
 * </pre>
 *
 * De-duplication happens before re-keying, where all copies of a job meet in one task. The stores are
 * queryable ({@code KafkaStreams#store}); aggregates use {@link StatsAggregate#serde()}, outputs the
 * registry-backed {@link JobStats} serde of {@link Topics}.
 */
public final class AggregatorTopology {

    /**
     * First terminal result per job id (the dedup store; also answers job result queries). Values are the
     * {@link #storedResultSerde(Topics) encoded} results, kept as bytes.
     */
    public static final String RESULTS_STORE = "promptq-job-results";
    /**
     * The status of each result in {@value #RESULTS_STORE} (job id → status name), so that the precedence rule
     * reads a few bytes instead of decoding the stored result. Added in a later version under its own name: a
     * deployment upgrading starts it empty, and jobs stored before fall back to decoding their stored result.
     */
    public static final String RESULTS_STATUS_STORE = "promptq-job-result-status";
    /** Job ids by first-seen time, to forget them after the dedup retention. */
    public static final String RESULTS_EXPIRY_STORE = "promptq-job-results-expiry";
    /** The job view per job id (see {@link JobView}), in the compact format of the view codec. */
    public static final String JOB_VIEW_STORE = "promptq-job-views";
    /** Job ids by first-seen time, to forget their views after the lifecycle retention. */
    public static final String JOB_VIEW_EXPIRY_STORE = "promptq-job-views-expiry";
    /** Each tenant's jobs by submission time, newest first (see {@code JobIndex}), for {@code GET /v1/jobs}. */
    public static final String JOB_INDEX_STORE = "promptq-job-index";
    /** All-time aggregates by scope key. */
    public static final String TOTALS_STORE = "promptq-totals";
    /** Windowed aggregates by scope key (overall and models). */
    public static final String WINDOWS_STORE = "promptq-windows";
    /** A compact summary of every dead letter of the jobs, newest first (see {@link DeadLetterIndex}). */
    public static final String DEAD_LETTER_INDEX_STORE = DeadLetterIndex.SUMMARY_STORE;
    /** Dead letters per reason, model and tenant (see {@link DeadLetterIndex}). */
    public static final String DEAD_LETTER_COUNTS_STORE = DeadLetterIndex.COUNT_STORE;

    /**
     * How long decoding a result waits in place for an unavailable schema registry before the stream thread is
     * failed and replaced: waits from 100 ms doubling to 2 s, at most 5 s in all, below the exactly-once
     * transaction timeout (10 s by default) so that the open transaction survives the wait.
     */
    public static final Backoff REGISTRY_WAIT =
            Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)).maxElapsed(Duration.ofSeconds(5)).build();

    private AggregatorTopology() {}

    /** The topology with the system clock and unregistered meters. */
    public static Topology build(AggregatorConfig config, Topics topics) {
        return build(config, topics, Clock.systemUTC(), new SimpleMeterRegistry());
    }

    /** The topology with a fresh {@link RegistryStatus}. */
    public static Topology build(AggregatorConfig config, Topics topics, Clock clock, MeterRegistry meters) {
        return build(config, topics, clock, meters, new RegistryStatus(), new JobViewWaiters(config.maxWaiters()),
                config.topicPartitions(), batchId -> { });
    }

    /**
     * The topology.
     *
     * @param clock stamps {@code updatedAt} of the aggregates
     * @param meters receives the aggregator's own counters ({@link AggregatorMetrics})
     * @param registryStatus told whether results decode or wait for the schema registry
     * @param waiters woken with each new job view
     * @param batchPartitions the batches topic's partition count, to which batch jobs' results are repartitioned
     * @param batchFinalizing told each batch that reached {@code finalizing} (see {@link BatchAggregation})
     */
    static Topology build(AggregatorConfig config, Topics topics, Clock clock, MeterRegistry meters,
            RegistryStatus registryStatus, JobViewWaiters waiters, int batchPartitions,
            Consumer<String> batchFinalizing) {
        AggregatorMetrics metrics = new AggregatorMetrics(meters);
        Serde<String> keys = Serdes.String();
        Serde<JobResult> storedResults = storedResultSerde(topics);
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RESULTS_STORE), keys, Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RESULTS_STATUS_STORE), keys, Serdes.String()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(RESULTS_EXPIRY_STORE), Serdes.Bytes(), Serdes.ByteArray()));

        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOB_VIEW_STORE), keys, Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOB_VIEW_EXPIRY_STORE), Serdes.Bytes(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(JOB_INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray()));

        KStream<String, JobResult> results = builder
                .stream(topics.results().name(), Consumed.with(keys, Serdes.serdeFrom(topics.results().valueSerializer(),
                                new RegistryWaitingDeserializer<>(topics.results().valueDeserializer(), REGISTRY_WAIT,
                                        registryStatus)))
                        .withTimestampExtractor(new CompletedAtTimestampExtractor(config.maxClockSkew(), metrics))
                        .withName("results"));
        KStream<String, ViewInput> stateChanges = builder
                .stream(topics.status().name(), Consumed.with(keys, Serdes.serdeFrom(topics.status().valueSerializer(),
                                new RegistryWaitingDeserializer<JobStateChange>(topics.status().valueDeserializer(),
                                        REGISTRY_WAIT, registryStatus)))
                        .withName("status"))
                .mapValues(change -> change == null ? null : (ViewInput) new ViewInput.StateChanged(change),
                        Named.as("state-changes"));
        results.mapValues(result -> result == null ? null : (ViewInput) new ViewInput.ResultArrived(result),
                        Named.as("results-for-views"))
                .merge(stateChanges, Named.as("view-inputs"))
                .process(() -> new JobViewProcessor(JOB_VIEW_STORE, JOB_VIEW_EXPIRY_STORE, JOB_INDEX_STORE,
                        config.jobViewRetention(), waiters), Named.as("job-view"), JOB_VIEW_STORE,
                        JOB_VIEW_EXPIRY_STORE, JOB_INDEX_STORE);

        KStream<String, BatchEvent> batchEvents = builder
                .stream(topics.batches().name(), Consumed.with(keys, Serdes.serdeFrom(topics.batches().valueSerializer(),
                                new RegistryWaitingDeserializer<>(topics.batches().valueDeserializer(), REGISTRY_WAIT,
                                        registryStatus)))
                        .withName("batches"));
        BatchAggregation.addTo(builder, batchEvents, results, storedResults, batchPartitions,
                config.batch().retention(), batchFinalizing);

        KStream<byte[], DeadLetter> deadLetters = builder
                .stream(topics.deadLetters().name(), Consumed.with(Serdes.ByteArray(), Serdes.serdeFrom(
                                topics.deadLetters().valueSerializer(), new RegistryWaitingDeserializer<>(
                                        topics.deadLetters().valueDeserializer(), REGISTRY_WAIT, registryStatus)))
                        .withName("dead-letters"));
        DeadLetterIndex.addTo(builder, deadLetters, config.consoleIndexRetention());
        DeadLetterIndex.addMarks(builder, topics.deadLetterMarks().name());

        KStream<String, JobSample> byScope = results
                .process(() -> new FirstResultProcessor(RESULTS_STORE, RESULTS_STATUS_STORE, RESULTS_EXPIRY_STORE,
                                config.dedupRetention(), metrics, storedResults),
                        Named.as("first-result-per-job"), RESULTS_STORE, RESULTS_STATUS_STORE, RESULTS_EXPIRY_STORE)
                .flatMap((jobId, counted) -> samplesByScope(counted), Named.as("sample-per-scope"))
                .merge(undecodableRecords(deadLetters), Named.as("with-undecodable-records"))
                .repartition(Repartitioned.with(keys, JobSample.serde()).withName("by-scope"));

        byScope.groupByKey(Grouped.with("totals", keys, JobSample.serde()))
                .aggregate(StatsAggregate::empty, (key, sample, aggregate) -> aggregate.add(sample, clock.millis()),
                        Named.as("totals-aggregate"),
                        Materialized.<String, StatsAggregate, KeyValueStore<Bytes, byte[]>>as(TOTALS_STORE)
                                .withKeySerde(keys)
                                .withValueSerde(StatsAggregate.serde()))
                .toStream(Named.as("totals-changes"))
                .mapValues((key, aggregate) -> aggregate == null ? null : aggregate.toJobStats(StatsKey.parse(key), null, null),
                        Named.as("totals-to-job-stats"))
                .to(topics.totals().name(), Produced.with(keys, topics.totals().valueSerde()).withName("totals"));

        byScope.filter((key, sample) -> !StatsKey.isTenantKey(key), Named.as("overall-and-models"))
                .mapValues(JobSample::asEvent, Named.as("samples-as-events"))
                .groupByKey(Grouped.with("windows", keys, JobSample.serde()))
                .windowedBy(TimeWindows.ofSizeAndGrace(config.window(), config.grace()))
                .aggregate(StatsAggregate::empty, (key, sample, aggregate) -> aggregate.add(sample, clock.millis()),
                        Named.as("windows-aggregate"),
                        Materialized.<String, StatsAggregate, WindowStore<Bytes, byte[]>>as(WINDOWS_STORE)
                                .withKeySerde(keys)
                                .withValueSerde(StatsAggregate.serde())
                                .withRetention(config.windowRetention()))
                .toStream(Named.as("windows-changes"))
                .filter((window, aggregate) -> aggregate != null, Named.as("windows-not-deleted"))
                .map((window, aggregate) -> {
                    StatsKey key = StatsKey.parse(window.key());
                    JobStats stats = aggregate.toJobStats(key, Instant.ofEpochMilli(window.window().start()),
                            Instant.ofEpochMilli(window.window().end()));
                    return KeyValue.pair(key.windowKey(window.window().start()), stats);
                }, Named.as("windows-to-job-stats"))
                .to(topics.windows().name(), Produced.with(keys, topics.windows().valueSerde()).withName("windows"));

        return builder.build();
    }

    /**
     * One overall {@link JobSample#undecodableRecord() sample} per dead letter of a record the workers could not
     * decode ({@link UndecodableDeadLetters}): they have no result, so the results stream never sees them.
     */
    private static KStream<String, JobSample> undecodableRecords(KStream<byte[], DeadLetter> deadLetters) {
        return deadLetters
                .filter((key, deadLetter) -> UndecodableDeadLetters.isUndecodable(deadLetter),
                        Named.as("undecodable-dead-letters"))
                .map((key, deadLetter) -> KeyValue.pair(StatsKey.OVERALL_KEY, JobSample.undecodableRecord()),
                        Named.as("undecodable-sample"));
    }

    /**
     * The encoding of the values of {@value #RESULTS_STORE}, which holds them as bytes (so that the dedup check
     * decodes nothing): the registry serde of the results topic, under that topic's subject.
     */
    public static Serde<JobResult> storedResultSerde(Topics topics) {
        return FixedSubjectSerde.of(topics.results().valueSerde(), topics.results().name());
    }

    private static List<KeyValue<String, JobSample>> samplesByScope(CountedResult counted) {
        JobResult result = counted.result();
        JobSample sample = counted.supersedes() == null ? JobSample.of(result)
                : JobSample.of(result).superseding(counted.supersedes());
        return List.of(
                KeyValue.pair(StatsKey.OVERALL_KEY, sample),
                KeyValue.pair(StatsKey.model(nonEmpty(result.getModel())).toString(), sample),
                KeyValue.pair(StatsKey.tenant(nonEmpty(result.getTenant())).toString(), sample));
    }

    private static String nonEmpty(String name) {
        return name == null || name.isEmpty() ? "unknown" : name;
    }
}
