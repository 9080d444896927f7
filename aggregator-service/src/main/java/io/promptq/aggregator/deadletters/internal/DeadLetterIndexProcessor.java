package io.promptq.aggregator.deadletters.internal;

import io.promptq.aggregator.deadletters.DeadLetterSummary;
import io.promptq.schema.DeadLetter;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Indexes each dead letter of the task's dead-letter partition: its {@link SummaryCodec summary} under its
 * {@link IndexKeys key}, and one more in the counts of its reason, model and tenant ({@link #countKey}). A record
 * indexed already (a re-read after a failure) counts once.
 */
public final class DeadLetterIndexProcessor implements Processor<byte[], DeadLetter, Void, Void> {

    private final String summaryStoreName;
    private final String countStoreName;
    private @Nullable ProcessorContext<Void, Void> context;
    private @Nullable KeyValueStore<Bytes, byte[]> summaries;
    private @Nullable KeyValueStore<String, Long> counts;

    public DeadLetterIndexProcessor(String summaryStoreName, String countStoreName) {
        this.summaryStoreName = summaryStoreName;
        this.countStoreName = countStoreName;
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
