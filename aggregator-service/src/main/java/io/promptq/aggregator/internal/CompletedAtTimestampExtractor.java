package io.promptq.aggregator.internal;

import io.promptq.schema.JobResult;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a result is its {@code completedAt}: windows hold the jobs that finished in them, whenever
 * the record reached the results topic. A {@code completedAt} more than {@code maxSkew} away from the record's own
 * timestamp (its append time) is not believed — a skewed clock or a foreign writer — and the record's timestamp is
 * used instead, counted as clamped: one such result must not move stream time years ahead, which would close every
 * window to later results and let the dedup purge forget every job. Falls back to the record's own timestamp, then
 * to the partition's stream time, when the value carries no usable time; with no record timestamp
 * {@code completedAt} is used as it is.
 */
public final class CompletedAtTimestampExtractor implements TimestampExtractor {

    private final long maxSkewMillis;
    private final AggregatorMetrics metrics;

    /**
     * @param maxSkew how far {@code completedAt} may be from the record's timestamp, either way
     * @param metrics counts clamped results
     */
    public CompletedAtTimestampExtractor(Duration maxSkew, AggregatorMetrics metrics) {
        this.maxSkewMillis = maxSkew.toMillis();
        this.metrics = metrics;
    }

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long appended = record.timestamp();
        long completedAt = -1;
        if (record.value() instanceof JobResult result && result.getCompletedAt() != null) {
            completedAt = result.getCompletedAt().toEpochMilli();
        }
        if (appended < 0) {
            return completedAt >= 0 ? completedAt : Math.max(0, partitionTime);
        }
        if (completedAt < 0) {
            return appended;
        }
        if (Math.abs(completedAt - appended) > maxSkewMillis) {
            metrics.clamped();
            return appended;
        }
        return completedAt;
    }
}
