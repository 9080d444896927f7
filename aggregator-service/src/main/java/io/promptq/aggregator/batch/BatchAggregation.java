package io.promptq.aggregator.batch;

import io.promptq.aggregator.batch.internal.BatchInput;
import io.promptq.aggregator.batch.internal.BatchProcessor;
import io.promptq.batch.BatchAttributes;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.JobResult;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The batches' part of the aggregator's topology:
 *
 * <pre>
 * batches (key batch id) ─┐
 * results of batch jobs (attribute promptq.batch) → re-keyed by batch id → repartition (the batches topic's count) ─┤
 *   → one processor: {@value #STATE_STORE} (batch id → state), {@value #LINES_STORE} (batch id + line → the line of
 *     the output or error file), {@value #INDEX_STORE} (each tenant's batches newest first, and their expiry)
 * </pre>
 *
 * The processor tells the finalizer (a thread of the aggregator) the batches whose every line is terminal.
 */
public final class BatchAggregation {

    /** Batch id → the batch's state. */
    public static final String STATE_STORE = "promptq-batch-state";
    /** Batch id + line number → the stored line of the output or error file. */
    public static final String LINES_STORE = "promptq-batch-lines";
    /** Each tenant's batches newest first, and all batches by creation time (for the retention). */
    public static final String INDEX_STORE = "promptq-batch-index";
    /** How often batches past the retention are removed. */
    public static final Duration PURGE_INTERVAL = Duration.ofMinutes(1);

    private BatchAggregation() {}

    /**
     * Adds the batch processor and its stores to {@code builder}.
     *
     * @param events the batches topic's records, keyed by batch id
     * @param results the results topic's records (any job; those of batch jobs are taken)
     * @param storedResults the serde of results on the repartition topic
     * @param partitions the batches topic's partition count: the re-keyed results are repartitioned to it
     * @param retention how long a batch is kept after its creation
     * @param finalizing told each batch id that reached {@code finalizing}; must not block
     */
    public static void addTo(StreamsBuilder builder, KStream<String, BatchEvent> events,
            KStream<String, JobResult> results, Serde<JobResult> storedResults, int partitions, Duration retention,
            Consumer<String> finalizing) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STATE_STORE), Serdes.String(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(LINES_STORE), Serdes.Bytes(), Serdes.ByteArray()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray()));
        KStream<String, BatchInput> lineResults = results
                .filter((jobId, result) -> result != null && BatchAttributes.batchId(result.getAttributes()) != null,
                        Named.as("batch-job-results"))
                .selectKey((jobId, result) -> BatchAttributes.batchId(result.getAttributes()),
                        Named.as("batch-results-by-batch"))
                .repartition(Repartitioned.with(Serdes.String(), storedResults).withName("batch-results")
                        .withNumberOfPartitions(partitions))
                .mapValues(result -> (BatchInput) new BatchInput.Result(result), Named.as("batch-result-inputs"));
        events.filter((batchId, event) -> event != null, Named.as("batch-events-present"))
                .mapValues(event -> (BatchInput) new BatchInput.Event(event), Named.as("batch-event-inputs"))
                .merge(lineResults, Named.as("batch-inputs"))
                .process(() -> new BatchProcessor(STATE_STORE, LINES_STORE, INDEX_STORE, retention, PURGE_INTERVAL,
                        finalizing), Named.as("batch-state"), STATE_STORE, LINES_STORE, INDEX_STORE);
    }
}
