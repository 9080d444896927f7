package io.promptq.worker.kafka;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;

/**
 * What one handled record produces: its outcome records, serialized, and - for the rare case that the broker
 * refuses one of them as too large - a fallback output to write instead (e.g. a dead letter without the job's
 * body). Immutable; the poll loop keeps it until the commit that covers the record's offset.
 *
 * <p>The fallback is computed only when needed, on the poll thread, so it must be cheap and must not block:
 * serialize with schemas that are registered already. A handler that can check sizes cheaply (a record above
 * {@code max.request.size} is refused by the producer itself) should use its fallback directly instead.
 */
public final class JobOutput {

    private static final JobOutput NONE = new JobOutput(List.of(), null);

    private final List<ProducerRecord<byte[], byte[]>> records;
    private final @Nullable Supplier<JobOutput> fallback;

    private JobOutput(List<ProducerRecord<byte[], byte[]>> records, @Nullable Supplier<JobOutput> fallback) {
        this.records = List.copyOf(records);
        this.fallback = fallback;
    }

    /** Nothing to write: the record only counts as consumed. */
    public static JobOutput none() {
        return NONE;
    }

    /** {@code records}, without a fallback: if the broker refuses one, the output is dropped (and logged). */
    public static JobOutput of(List<ProducerRecord<byte[], byte[]>> records) {
        return records.isEmpty() ? NONE : new JobOutput(records, null);
    }

    /** {@code records}, and what to write instead if the broker refuses one of them for good (too large). */
    public static JobOutput of(List<ProducerRecord<byte[], byte[]>> records, Supplier<JobOutput> fallback) {
        return new JobOutput(records, Objects.requireNonNull(fallback, "fallback"));
    }

    /** The records to write, in order. */
    public List<ProducerRecord<byte[], byte[]>> records() {
        return records;
    }

    /** Whether there is nothing to write. */
    public boolean isEmpty() {
        return records.isEmpty();
    }

    /** Whether a fallback exists. */
    public boolean hasFallback() {
        return fallback != null;
    }

    /** The output to write instead when the broker refused one of these records; null if there is none. */
    public @Nullable JobOutput fallback() {
        return fallback == null ? null : fallback.get();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("JobOutput[");
        for (int i = 0; i < records.size(); i++) {
            ProducerRecord<byte[], byte[]> r = records.get(i);
            b.append(i == 0 ? "" : ", ").append(r.topic()).append('(')
                    .append(r.value() == null ? 0 : r.value().length).append(" B)");
        }
        return b.append(fallback == null ? "]" : ", with fallback]").toString();
    }
}
