package io.promptq.worker.internal;

import io.promptq.schema.RetryJob;
import io.promptq.worker.kafka.WorkerHeaders;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The due time of a retry-tier record, read on the poll thread: from the {@value WorkerHeaders#DUE_AT} header
 * (written by every worker; decimal digits, or 8 binary bytes from workers before the decimal form), else by
 * decoding the value. A malformed header is ignored in favour of the value's own due time (the first one is
 * logged at WARN, later ones at DEBUG); an undecodable record is due at once (its handler dead-letters it).
 * Never throws. Used by the poll thread only.
 */
final class RetryDueTime implements ToLongFunction<ConsumerRecord<byte[], byte[]>> {

    private static final Logger log = LoggerFactory.getLogger(RetryDueTime.class);

    private final Deserializer<RetryJob> retries;
    private boolean warnedMalformed;

    RetryDueTime(Deserializer<RetryJob> retries) {
        this.retries = retries;
    }

    @Override
    public long applyAsLong(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers() == null ? null : record.headers().lastHeader(WorkerHeaders.DUE_AT);
        if (header != null) {
            OptionalLong dueAt = WorkerHeaders.parseMillis(header.value());
            if (dueAt.isPresent()) {
                return dueAt.getAsLong();
            }
            malformed(record, header);
        }
        try {
            RetryJob job = retries.deserialize(record.topic(), record.headers(), record.value());
            return job == null ? 0 : job.getDueAt().toEpochMilli();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private void malformed(ConsumerRecord<byte[], byte[]> record, Header header) {
        int length = header.value() == null ? -1 : header.value().length;
        if (!warnedMalformed) {
            warnedMalformed = true;
            log.warn("Malformed {} header ({} bytes) on {}-{}@{}: neither decimal epoch millis nor 8 binary bytes;"
                    + " the due time is read from the record's value (further ones are logged at DEBUG)",
                    WorkerHeaders.DUE_AT, length, record.topic(), record.partition(), record.offset());
        } else {
            log.debug("Malformed {} header ({} bytes) on {}-{}@{}; the due time is read from the record's value",
                    WorkerHeaders.DUE_AT, length, record.topic(), record.partition(), record.offset());
        }
    }
}
