package io.promptq.worker.kafka;

import java.nio.ByteBuffer;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Headers the worker writes, so that consumers can act on a record without decoding its value.
 */
public final class WorkerHeaders {

    /**
     * On retry-tier records: when the job is due, epoch millis as 8 big-endian bytes. The poll loop reads it to
     * hold records that are not due yet without decoding them.
     */
    public static final String DUE_AT = "promptq.due-at";

    /** On dead-letter records: why the record was dead-lettered (a {@code DeadLetterReason} name, UTF-8). */
    public static final String DEAD_LETTER_REASON = "promptq.dead-letter-reason";

    private WorkerHeaders() {}

    public static byte[] millis(long epochMillis) {
        return ByteBuffer.allocate(Long.BYTES).putLong(epochMillis).array();
    }

    /** The last {@code key} header as epoch millis, if present and 8 bytes long. */
    public static OptionalLong millis(Headers headers, String key) {
        Header h = headers == null ? null : headers.lastHeader(key);
        if (h == null || h.value() == null || h.value().length != Long.BYTES) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ByteBuffer.wrap(h.value()).getLong());
    }
}
