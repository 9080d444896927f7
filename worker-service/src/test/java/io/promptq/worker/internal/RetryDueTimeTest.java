package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.schema.RetryJob;
import io.promptq.worker.kafka.WorkerHeaders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;
import org.junit.jupiter.api.Test;

class RetryDueTimeTest {

    private static final long HEADER_DUE = 1_764_630_000_000L;
    private static final Instant VALUE_DUE = Instant.ofEpochMilli(1_764_630_999_000L);

    /** Decodes every value to a job due at {@link #VALUE_DUE}. */
    private final RetryDueTime decodable = new RetryDueTime(deserializer(false));
    /** Fails to decode any value, so a test can see that the header alone decided. */
    private final RetryDueTime undecodable = new RetryDueTime(deserializer(true));

    @Test
    void aDecimalHeaderGivesTheDueTimeWithoutDecodingTheValue() {
        assertThat(undecodable.applyAsLong(record(WorkerHeaders.millis(HEADER_DUE)))).isEqualTo(HEADER_DUE);
        assertThat(undecodable.applyAsLong(record("1764630000000".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(HEADER_DUE);
    }

    @Test
    void aLegacyEightByteBinaryHeaderStillGivesTheDueTime() {
        byte[] binary = ByteBuffer.allocate(Long.BYTES).putLong(HEADER_DUE).array();

        assertThat(undecodable.applyAsLong(record(binary))).isEqualTo(HEADER_DUE);
    }

    @Test
    void aMalformedHeaderFallsBackToTheValuesDueTimeWithoutThrowing() {
        for (byte[] malformed : new byte[][] {"tomorrow".getBytes(StandardCharsets.US_ASCII), new byte[3], new byte[0],
                null}) {
            assertThat(decodable.applyAsLong(record(malformed))).isEqualTo(VALUE_DUE.toEpochMilli());
        }
    }

    @Test
    void aMalformedHeaderOnAnUndecodableRecordMakesItDueAtOnce() {
        assertThat(undecodable.applyAsLong(record("12:00".getBytes(StandardCharsets.US_ASCII)))).isZero();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] dueAt) {
        Headers headers = new RecordHeaders().add(WorkerHeaders.DUE_AT, dueAt);
        return new ConsumerRecord<>("promptq.jobs.retry.1", 0, 42, 0L, TimestampType.CREATE_TIME, 0, 1, new byte[0],
                new byte[] {1}, headers, Optional.empty());
    }

    private static Deserializer<RetryJob> deserializer(boolean fails) {
        return (topic, data) -> {
            if (fails) {
                throw new SerializationException("not a RetryJob");
            }
            RetryJob job = new RetryJob();
            job.setDueAt(VALUE_DUE);
            return job;
        };
    }
}
