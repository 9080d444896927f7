package io.promptq.aggregator.internal;

import io.promptq.schema.JobResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time of a result is its {@code completedAt}: windows hold the jobs that finished in them, whenever
 * the record reached the results topic. Falls back to the record's own timestamp, then to the partition's
 * stream time, when the value carries no usable time.
 */
public final class CompletedAtTimestampExtractor implements TimestampExtractor {

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        if (record.value() instanceof JobResult result && result.getCompletedAt() != null) {
            long completedAt = result.getCompletedAt().toEpochMilli();
            if (completedAt >= 0) {
                return completedAt;
            }
        }
        return record.timestamp() >= 0 ? record.timestamp() : Math.max(0, partitionTime);
    }
}
