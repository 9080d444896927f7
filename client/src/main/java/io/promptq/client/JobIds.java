package io.promptq.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * How promptq names jobs. With an idempotency key the id is a name-based UUID (RFC 9562 version 5,
 * SHA-1) of {@code tenant + '\0' + key} in promptq's own namespace, so a resubmission of the same
 * (tenant, key) names the same job, and two tenants using the same key never collide. Without a key
 * it is a random (version 4) UUID.
 */
public final class JobIds {

    /** The namespace UUID of promptq job ids (fixed forever: changing it would rename every keyed job). */
    public static final UUID NAMESPACE = UUID.fromString("5b0f7c53-8a9e-4e3d-9d3b-7a1e2c0f9a41");

    private JobIds() {}

    /** The job id for {@code tenant} and an optional {@code idempotencyKey} (random when null). */
    public static String of(String tenant, String idempotencyKey) {
        return idempotencyKey == null ? UUID.randomUUID().toString() : derive(tenant, idempotencyKey).toString();
    }

    /** The deterministic (version 5) job id of {@code tenant} and {@code idempotencyKey}. */
    public static UUID derive(String tenant, String idempotencyKey) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16)
                .putLong(NAMESPACE.getMostSignificantBits())
                .putLong(NAMESPACE.getLeastSignificantBits());
        sha1.update(ns.array());
        sha1.update((tenant + '\0' + idempotencyKey).getBytes(StandardCharsets.UTF_8));
        byte[] hash = sha1.digest();
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong());
    }
}
