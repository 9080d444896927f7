package io.promptq.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * How promptq names jobs. Without an idempotency key a job id is a random (version 4) UUID. With one, the id is
 * derived from {@code tenant + '\0' + key}, so a resubmission of the same (tenant, key) names the same job and two
 * tenants using the same key never collide:
 *
 * <ul>
 *   <li>with a {@link JobIdKey} secret ({@code PROMPTQ_JOB_ID_KEY}): HMAC-SHA256 laid out as an RFC 9562 version 8
 *       UUID - unguessable without the secret;
 *   <li>without one: a name-based UUID (RFC 9562 version 5, SHA-1) in promptq's own {@link #NAMESPACE} - anyone can
 *       compute another tenant's job id from its idempotency key, so this is for local use only.
 * </ul>
 */
public final class JobIds {

    /** The namespace UUID of unkeyed (version 5) job ids (fixed forever: changing it would rename every keyed job). */
    public static final UUID NAMESPACE = UUID.fromString("5b0f7c53-8a9e-4e3d-9d3b-7a1e2c0f9a41");

    private JobIds() {}

    /** The job id for {@code tenant} and an optional {@code idempotencyKey} (random when null) without a secret. */
    public static String of(String tenant, String idempotencyKey) {
        return of(JobIdKey.none(), tenant, idempotencyKey);
    }

    /** The job id for {@code tenant} and an optional {@code idempotencyKey} (random when null), derived with {@code secret}. */
    public static String of(JobIdKey secret, String tenant, String idempotencyKey) {
        return idempotencyKey == null ? UUID.randomUUID().toString() : derive(secret, tenant, idempotencyKey).toString();
    }

    /** The deterministic, guessable (version 5) job id of {@code tenant} and {@code idempotencyKey}: local use only. */
    public static UUID derive(String tenant, String idempotencyKey) {
        return derive(JobIdKey.none(), tenant, idempotencyKey);
    }

    /**
     * The deterministic job id of {@code tenant} and {@code idempotencyKey}: version 8 (HMAC-SHA256) with a present
     * {@code secret}, version 5 without.
     */
    public static UUID derive(JobIdKey secret, String tenant, String idempotencyKey) {
        byte[] name = (tenant + '\0' + idempotencyKey).getBytes(StandardCharsets.UTF_8);
        if (secret.present()) {
            return uuid(secret.mac(name), 0x80); // version 8: custom (here HMAC-SHA256)
        }
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
        sha1.update(name);
        return uuid(sha1.digest(), 0x50); // version 5
    }

    /** The first 16 bytes of {@code hash} with the version nibble {@code versionBits} and the IETF variant set. */
    private static UUID uuid(byte[] hash, int versionBits) {
        hash[6] = (byte) ((hash[6] & 0x0f) | versionBits);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
        ByteBuffer bits = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bits.getLong(), bits.getLong());
    }
}
