package io.promptq.worker.internal;

import io.promptq.schema.RetryJob;
import io.promptq.worker.kafka.WorkerHeaders;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The due time of a retry-tier record, read on the poll thread: from the {@value WorkerHeaders#DUE_AT} header
 * (written by every worker), else by decoding the value; an undecodable record is due at once (its handler
 * dead-letters it).
 */
final class RetryDueTime implements ToLongFunction<ConsumerRecord<byte[], byte[]>> {

    private final Deserializer<RetryJob> retries;

    RetryDueTime(Deserializer<RetryJob> retries) {
        this.retries = retries;
    }

    @Override
    public long applyAsLong(ConsumerRecord<byte[], byte[]> record) {
        OptionalLong header = WorkerHeaders.millis(record.headers(), WorkerHeaders.DUE_AT);
        if (header.isPresent()) {
            return header.getAsLong();
        }
        try {
            RetryJob job = retries.deserialize(record.topic(), record.headers(), record.value());
            return job == null ? 0 : job.getDueAt().toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
