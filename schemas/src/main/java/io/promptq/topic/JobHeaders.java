package io.promptq.topic;

import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Headers that submitters (the client library and the producer service through it) put on jobs-topic records.
 * Defined here, the lowest module both the submit side and the worker read, so neither depends on the other;
 * headers the worker writes on its own records stay with the worker.
 */
public final class JobHeaders {

    /**
     * On every keyed job (one with an idempotency key): the record's {@link PayloadHash}, its 32 raw bytes
     * ({@value #PAYLOAD_HASH_LENGTH}). Unkeyed jobs carry no such header. A consumer that finds the header missing
     * or malformed on a keyed job computes the hash from the record with {@link PayloadHash#of}.
     */
    public static final String PAYLOAD_HASH = "promptq.payload-hash";

    /** Length of the {@link #PAYLOAD_HASH} header's value. */
    public static final int PAYLOAD_HASH_LENGTH = PayloadHash.LENGTH;

    /**
     * On a job republished from the dead-letter topic: its redrive generation ({@code PromptJob.redrive}, at least
     * 1) as a 4-byte big-endian int, so the worker's duplicate check tells a new run from a copy without decoding.
     * Absent on submitted jobs (generation 0).
     */
    public static final String REDRIVE = "promptq.redrive";

    private JobHeaders() {}

    /** The value of a {@link #REDRIVE} header for {@code generation}. */
    public static byte[] redriveValue(int generation) {
        return java.nio.ByteBuffer.allocate(Integer.BYTES).putInt(generation).array();
    }

    /** The generation in the last {@link #REDRIVE} header of {@code headers}; 0 when absent or malformed. */
    public static int redrive(@Nullable Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(REDRIVE);
        if (header == null || header.value() == null || header.value().length != Integer.BYTES) {
            return 0;
        }
        return Math.max(0, java.nio.ByteBuffer.wrap(header.value()).getInt());
    }

    /** The last {@link #PAYLOAD_HASH} header of {@code headers}, if present and {@value #PAYLOAD_HASH_LENGTH} bytes long. */
    public static Optional<PayloadHash> payloadHash(@Nullable Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(PAYLOAD_HASH);
        if (header == null || header.value() == null || header.value().length != PAYLOAD_HASH_LENGTH) {
            return Optional.empty();
        }
        return Optional.of(PayloadHash.fromBytes(header.value()));
    }
}
