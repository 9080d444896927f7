package io.promptq.aggregator.deadletters.internal;

import io.promptq.aggregator.deadletters.DeadLetterSummary;
import io.promptq.schema.DeadLetter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Indexes each dead letter of the task's dead-letter partition: its {@link SummaryCodec summary} under its
 * {@link IndexKeys key}, and one more in the counts of its reason, model and tenant ({@link #countKey}). A record
 * indexed already (a re-read after a failure) counts once. Once a minute (wall clock) it forgets the summaries whose
 * last failure is older than the retention, with their counts, at most {@value #EXPIRE_BATCH} at a time: the index
 * follows the dead-letter topic's retention instead of growing for ever.
 */
public final class DeadLetterIndexProcessor implements Processor<byte[], DeadLetter, Void, Void> {

    private final String summaryStoreName;
    private final String countStoreName;
    private final Duration retention;
    private @Nullable ProcessorContext<Void, Void> context;
    private @Nullable KeyValueStore<Bytes, byte[]> summaries;
    private @Nullable KeyValueStore<String, Long> counts;

    /** The most summaries one expiry pass removes (the next pass, a minute later, goes on). */
    static final int EXPIRE_BATCH = 10_000;
    static final Duration EXPIRE_INTERVAL = Duration.ofMinutes(1);

    /** @param retention how long a summary is kept after its dead letter's last failure; zero: for ever */
    public DeadLetterIndexProcessor(String summaryStoreName, String countStoreName, Duration retention) {
        this.summaryStoreName = summaryStoreName;
        this.countStoreName = countStoreName;
        this.retention = retention;
    }

    /** The key of a count: {@code reason:<r>}, {@code model:<m>} or {@code tenant:<t>}. */
    public static String countKey(String dimension, String value) {
        return dimension + ":" + value;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.summaries = context.getStateStore(summaryStoreName);
        this.counts = context.getStateStore(countStoreName);
        if (!retention.isZero()) {
            context.schedule(EXPIRE_INTERVAL, PunctuationType.WALL_CLOCK_TIME,
                    now -> expireBefore(now - retention.toMillis()));
        }
    }

    /**
     * Removes up to {@value #EXPIRE_BATCH} summaries whose dead letter last failed before {@code cutoff} (epoch millis),
     * the oldest first, and takes them out of the counts; how many it removed.
     */
    int expireBefore(long cutoff) {
        List<KeyValue<Bytes, byte[]>> expired = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = summaries.reverseRange(IndexKeys.firstAtOrBefore(cutoff - 1),
                IndexKeys.lastAtOrAfter(0))) {
            while (it.hasNext() && expired.size() < EXPIRE_BATCH) {
                expired.add(it.next());
            }
        }
        for (KeyValue<Bytes, byte[]> entry : expired) {
            DeadLetterSummary summary = SummaryCodec.decode(
                    DeadLetterSummary.id(IndexKeys.partition(entry.key), IndexKeys.offset(entry.key)), entry.value);
            summaries.delete(entry.key);
            decrement(countKey("reason", summary.reason()));
            if (summary.model() != null) {
                decrement(countKey("model", summary.model()));
            }
            if (summary.tenant() != null) {
                decrement(countKey("tenant", summary.tenant()));
            }
        }
        return expired.size();
    }

    private void decrement(String key) {
        Long count = counts.get(key);
        if (count == null || count <= 1) {
            counts.delete(key);
        } else {
            counts.put(key, count - 1);
        }
    }

    @Override
    public void process(Record<byte[], DeadLetter> record) {
        DeadLetter deadLetter = record.value();
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        if (deadLetter == null || metadata == null) {
            return;
        }
        DeadLetterSummary summary = Summaries.of(deadLetter, metadata.partition(), metadata.offset());
        Bytes key = IndexKeys.of(summary.at(), metadata.partition(), metadata.offset());
        if (summaries.get(key) != null) {
            return;
        }
        summaries.put(key, SummaryCodec.encode(summary));
        increment(countKey("reason", summary.reason()));
        if (summary.model() != null) {
            increment(countKey("model", summary.model()));
        }
        if (summary.tenant() != null) {
            increment(countKey("tenant", summary.tenant()));
        }
    }

    private void increment(String key) {
        Long count = counts.get(key);
        counts.put(key, count == null ? 1L : count + 1);
    }
}
