package io.promptq.client;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that keyed job ids are derived with ({@link #KEY}, {@code PROMPTQ_JOB_ID_KEY}): with it a keyed id is
 * HMAC-SHA256 of tenant and idempotency key, which nobody without the secret can compute, so a job id reveals
 * nothing and names no other tenant's job. Every submitter of one deployment (client library, producer service)
 * must use the same secret, or resubmissions stop naming the same job. {@link #none()} keeps the old, guessable
 * name-based ids: for local use only.
 *
 * <p>The secret is never printed: {@link #toString()} hides it, and the key is {@linkplain ConfigKey#secret()
 * secret}. Only its UTF-8 bytes are kept; each thread derives with its own {@link Mac}.
 */
public final class JobIdKey {

    /** Least length of the secret, in characters (e.g. 32 hex or base64 characters of random bytes, or more). */
    public static final int MIN_LENGTH = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final JobIdKey NONE = new JobIdKey(null);

    /**
     * Env key: the secret keyed job ids are derived with, at least {@value #MIN_LENGTH} characters (e.g. {@code
     * openssl rand -base64 48}); unset keeps guessable name-based ids (local use only). Never shown in messages.
     */
    public static final ConfigKey<JobIdKey> KEY = ConfigKey.of("PROMPTQ_JOB_ID_KEY", JobIdKey::of,
                    (JobIdKey key) -> key.present() ? "[hidden]" : "")
            .withDefault(NONE)
            .secret();

    private final byte[] secret;
    private final ThreadLocal<Mac> macs;

    private JobIdKey(byte[] secret) {
        this.secret = secret;
        this.macs = secret == null ? null : ThreadLocal.withInitial(this::newMac);
    }

    /** No secret: keyed ids stay name-based (version 5) and guessable. */
    public static JobIdKey none() {
        return NONE;
    }

    /**
     * The secret {@code text}; blank means {@link #none()}.
     *
     * @throws ConfigException naming {@link #KEY} (never the secret) if it is shorter than {@value #MIN_LENGTH}
     */
    public static JobIdKey of(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        String secret = text.trim();
        if (secret.length() < MIN_LENGTH) {
            throw ConfigException.invalid(KEY.name(), "[hidden]", "must be at least " + MIN_LENGTH
                    + " characters of random text (e.g. openssl rand -base64 48), but has " + secret.length());
        }
        return new JobIdKey(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether a secret is set. */
    public boolean present() {
        return secret != null;
    }

    /** HMAC-SHA256 of {@code message} with this secret (which must be {@link #present()}). */
    byte[] mac(byte[] message) {
        if (secret == null) {
            throw new IllegalStateException("no " + KEY.name() + " is set");
        }
        return macs.get().doFinal(message);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(ALGORITHM + " is required by every Java platform", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobIdKey other
                && (secret == null ? other.secret == null : other.secret != null && MessageDigest.isEqual(secret, other.secret));
    }

    @Override
    public int hashCode() {
        return present() ? 1 : 0;
    }

    @Override
    public String toString() {
        return present() ? "JobIdKey[hidden]" : "JobIdKey[none]";
    }
}
