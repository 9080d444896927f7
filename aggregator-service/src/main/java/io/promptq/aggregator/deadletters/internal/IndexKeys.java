package io.promptq.aggregator.deadletters.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Bytes;
import org.jspecify.annotations.Nullable;

/**
 * Keys of the summary store: {@code Long.MAX_VALUE - at} (8 bytes big-endian), partition (4), offset (8). Kafka
 * Streams orders byte keys lexicographically, so a range scan from the smallest key walks the dead letters newest
 * first, and a time range is a key range. A cursor is a key in hex: the last one examined.
 */
public final class IndexKeys {

    /** Bytes in a key. */
    public static final int SIZE = 20;
    private static final HexFormat HEX = HexFormat.of();

    private IndexKeys() {}

    /** The key of the dead letter at {@code partition}/{@code offset} that failed at {@code at} (epoch millis). */
    public static Bytes of(long at, int partition, long offset) {
        return Bytes.wrap(ByteBuffer.allocate(SIZE).putLong(Long.MAX_VALUE - Math.max(0, at)).putInt(partition)
                .putLong(offset).array());
    }

    /** The smallest key of a dead letter that failed at or before {@code until}. */
    public static Bytes firstAtOrBefore(long until) {
        return Bytes.wrap(ByteBuffer.allocate(SIZE).putLong(Long.MAX_VALUE - Math.max(0, until)).array());
    }

    /** The largest key of a dead letter that failed at or after {@code since}. */
    public static Bytes lastAtOrAfter(long since) {
        byte[] key = new byte[SIZE];
        Arrays.fill(key, (byte) 0xff);
        ByteBuffer.wrap(key).putLong(Long.MAX_VALUE - Math.max(0, since));
        return Bytes.wrap(key);
    }

    /** The smallest key after {@code key}: the key with a zero byte appended. */
    public static Bytes after(Bytes key) {
        return Bytes.wrap(Arrays.copyOf(key.get(), key.get().length + 1));
    }

    /** The partition of {@code key}. */
    public static int partition(Bytes key) {
        return ByteBuffer.wrap(key.get()).getInt(8);
    }

    /** The offset of {@code key}. */
    public static long offset(Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong(12);
    }

    /** {@code key} as a cursor. */
    public static String cursor(Bytes key) {
        return HEX.formatHex(key.get());
    }

    /** The key of {@code cursor}; null when it is not one. */
    public static @Nullable Bytes parseCursor(String cursor) {
        if (cursor.length() != SIZE * 2) {
            return null;
        }
        try {
            return Bytes.wrap(HEX.parseHex(cursor));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
