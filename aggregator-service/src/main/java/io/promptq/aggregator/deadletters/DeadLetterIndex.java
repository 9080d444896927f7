package io.promptq.aggregator.deadletters;

import io.promptq.aggregator.deadletters.internal.DeadLetterIndexProcessor;
import io.promptq.schema.DeadLetter;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The dead-letter index of the aggregator's topology: every dead letter of the jobs' dead-letter topic becomes a
 * {@link DeadLetterSummary} in {@value #SUMMARY_STORE}, keyed by inverted failure time, partition and offset so that
 * newest-first paging and time ranges are range scans, and adds one to its reason's, model's and tenant's count in
 * {@value #COUNT_STORE}. Both stores are partitioned like the dead-letter topic (one per task).
 */
public final class DeadLetterIndex {

    /** Summaries by inverted time, partition and offset. */
    public static final String SUMMARY_STORE = "promptq-dead-letter-index";
    /** Dead letters per {@code reason:<r>}, {@code model:<m>} and {@code tenant:<t>}. */
    public static final String COUNT_STORE = "promptq-dead-letter-counts";
    /**
     * The operators' marks (REDRIVEN, PURGED) by dead-letter id, as the encoded {@code DeadLetterMark}: a global
     * store (the marks topic is keyed by id, not co-partitioned with the dead letters), so a page looks each listed
     * dead letter's mark up by key.
     */
    public static final String MARK_STORE = "promptq-dead-letter-marks";

    private DeadLetterIndex() {}

    /**
     * Adds the stores and the indexing processor over {@code deadLetters} (the dead-letter topic as read), which
     * forgets summaries older than {@code retention} (zero: never).
     */
    public static void addTo(StreamsBuilder builder, KStream<byte[], DeadLetter> deadLetters, Duration retention) {
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(SUMMARY_STORE), Serdes.Bytes(), Serdes.ByteArray()));
        // cached: a count changes with every dead letter, its changelog gets the latest value once per commit
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(COUNT_STORE), Serdes.String(), Serdes.Long()).withCachingEnabled());
        deadLetters.process(() -> new DeadLetterIndexProcessor(SUMMARY_STORE, COUNT_STORE, retention),
                Named.as("dead-letter-index"), SUMMARY_STORE, COUNT_STORE);
    }

    /** Adds {@value #MARK_STORE}, filled from {@code marksTopic} (the compacted marks topic; a tombstone unmarks). */
    public static void addMarks(StreamsBuilder builder, String marksTopic) {
        builder.globalTable(marksTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("dead-letter-marks"),
                Materialized.<String, byte[], KeyValueStore<Bytes, byte[]>>as(MARK_STORE)
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.ByteArray()));
    }
}
