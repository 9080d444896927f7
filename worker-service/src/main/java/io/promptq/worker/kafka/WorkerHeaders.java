package io.promptq.worker.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.jspecify.annotations.Nullable;

/**
 * Headers the worker writes, so that consumers can act on a record without decoding its value.
 */
public final class WorkerHeaders {

    /**
     * On retry-tier records: when the job is due, epoch millis as decimal ASCII digits (e.g.
     * {@code 1764630000000}), readable in Kafka UI and kcat. The poll loop reads it to hold records that are not
     * due yet without decoding them. Records written before the decimal form carry 8 big-endian bytes; readers
     * accept both ({@link #millis(Headers, String)}).
     */
    public static final String DUE_AT = "promptq.due-at";

    /** On dead-letter records: why the record was dead-lettered (a {@code DeadLetterReason} name, UTF-8). */
    public static final String DEAD_LETTER_REASON = "promptq.dead-letter-reason";

    /** Most digits of a decimal epoch-millis value: {@link Long#MAX_VALUE} has 19. */
    private static final int MAX_DIGITS = 19;

    private WorkerHeaders() {}

    /** {@code epochMillis} as a header value: its decimal digits in ASCII (a leading {@code -} if negative). */
    public static byte[] millis(long epochMillis) {
        return Long.toString(epochMillis).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The last {@code key} header as epoch millis; empty if it is absent or malformed ({@link #parseMillis}).
     */
    public static OptionalLong millis(@Nullable Headers headers, String key) {
        Header h = headers == null ? null : headers.lastHeader(key);
        return h == null ? OptionalLong.empty() : parseMillis(h.value());
    }

    /**
     * A header value as epoch millis: decimal ASCII digits with an optional leading {@code -} (as written now),
     * or 8 big-endian bytes whose first byte is 0 (as written before: any epoch millis of the next two million
     * years); empty for anything else (null, empty, other lengths, 8 bytes of text, a number beyond the range of
     * a long). The two forms cannot be confused: a digit is never a 0 byte. Never throws, and allocates nothing:
     * it runs on the poll thread.
     */
    public static OptionalLong parseMillis(byte @Nullable [] value) {
        if (value == null || value.length == 0) {
            return OptionalLong.empty();
        }
        if (value.length == Long.BYTES && value[0] == 0) {
            return OptionalLong.of(ByteBuffer.wrap(value).getLong());
        }
        return decimal(value);
    }

    private static OptionalLong decimal(byte[] value) {
        boolean negative = value[0] == '-';
        int start = negative ? 1 : 0;
        int digits = value.length - start;
        if (digits < 1 || digits > MAX_DIGITS) {
            return OptionalLong.empty();
        }
        long result = 0; // accumulated negatively, so Long.MIN_VALUE fits
        for (int i = start; i < value.length; i++) {
            int digit = value[i] - '0';
            if (digit < 0 || digit > 9 || result < (Long.MIN_VALUE + digit) / 10) {
                return OptionalLong.empty();
            }
            result = result * 10 - digit;
        }
        if (!negative && result == Long.MIN_VALUE) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(negative ? result : -result);
    }
}
