package io.promptq.aggregator.batch.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Keys of the batch stores. Lines: batch id, a 0 byte, the 4-byte line number (big-endian, so a range scan reads a
 * batch's lines in line order). Index: {@code T}, the tenant's length and bytes, then the batch id with every byte
 * inverted (ascending keys = newest batch first, since a batch id starts with its creation time). Expiry: {@code X},
 * the creation time in millis, the batch id (oldest first).
 */
public final class BatchKeys {

    private static final byte TENANT = 'T';
    private static final byte EXPIRY = 'X';

    private BatchKeys() {}

    public static Bytes line(String batchId, int line) {
        byte[] id = batchId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(id.length + 5).put(id).put((byte) 0).putInt(line).array());
    }

    /** The line number of a {@link #line} key. */
    public static int lineOf(Bytes key) {
        byte[] k = key.get();
        return ByteBuffer.wrap(k, k.length - 4, 4).getInt();
    }

    /** The first line key of {@code batchId}. */
    public static Bytes firstLine(String batchId) {
        return line(batchId, 0);
    }

    /** The last possible line key of {@code batchId}. */
    public static Bytes lastLine(String batchId) {
        return line(batchId, Integer.MAX_VALUE);
    }

    public static Bytes tenantEntry(String tenant, String batchId) {
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        byte[] id = batchId.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(3 + t.length + id.length).put(TENANT).putShort((short) t.length).put(t);
        for (byte b : id) {
            buffer.put((byte) ~b);
        }
        return Bytes.wrap(buffer.array());
    }

    /** The smallest index key of {@code tenant}. */
    public static Bytes tenantStart(String tenant) {
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(3 + t.length).put(TENANT).putShort((short) t.length).put(t).array());
    }

    /** A key above every index key of {@code tenant}. */
    public static Bytes tenantEnd(String tenant) {
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(3 + t.length + 1).put(TENANT).putShort((short) t.length).put(t)
                .put((byte) 0xff).array());
    }

    /** The batch id of a {@link #tenantEntry} key. */
    public static String batchIdOfTenantEntry(Bytes key) {
        byte[] k = key.get();
        int start = 3 + ByteBuffer.wrap(k, 1, 2).getShort();
        byte[] id = new byte[k.length - start];
        for (int i = 0; i < id.length; i++) {
            id[i] = (byte) ~k[start + i];
        }
        return new String(id, StandardCharsets.UTF_8);
    }

    public static Bytes expiry(long createdAtMillis, String batchId) {
        byte[] id = batchId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(9 + id.length).put(EXPIRY).putLong(createdAtMillis).put(id).array());
    }

    /** The smallest expiry key. */
    public static Bytes expiryStart() {
        return Bytes.wrap(new byte[] {EXPIRY});
    }

    /** The batch id of an {@link #expiry} key. */
    public static String batchIdOfExpiry(Bytes key) {
        byte[] k = key.get();
        return new String(k, 9, k.length - 9, StandardCharsets.UTF_8);
    }

    /** The creation time of an {@link #expiry} key. */
    public static long createdAtOfExpiry(Bytes key) {
        return ByteBuffer.wrap(key.get(), 1, 8).getLong();
    }
}
