package io.promptq.batch;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Batch ids: {@code batch_}, the creation time in milliseconds as 12 hex digits, then 16 random hex digits. The time
 * in the id makes a batch id a cursor on its own ({@code GET /v1/batches?after=}): newest first is descending time,
 * then descending id.
 */
public final class BatchIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    public static final String PREFIX = "batch_";
    private static final int LENGTH = PREFIX.length() + 12 + 16;

    private BatchIds() {}

    /** A fresh id for a batch created at {@code createdAt}. */
    public static String newId(Instant createdAt) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        return PREFIX + String.format("%012x", createdAt.toEpochMilli()) + HexFormat.of().formatHex(random);
    }

    /** Whether {@code id} is a well-formed batch id. */
    public static boolean isValid(String id) {
        if (id.length() != LENGTH || !id.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < LENGTH; i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The creation time written into a {@linkplain #isValid valid} id. */
    public static Instant createdAt(String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("not a batch id: " + id);
        }
        return Instant.ofEpochMilli(Long.parseLong(id, PREFIX.length(), PREFIX.length() + 12, 16));
    }
}
