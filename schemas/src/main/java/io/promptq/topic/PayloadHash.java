package io.promptq.topic;

import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The fingerprint of what a job asks the provider: SHA-256 over a canonical, versioned encoding of the
 * {@link PromptJob}'s tenant, model, messages (role and content, in order) and generation parameters
 * (temperature, maxTokens, topP, seed, stop sequences in order, and the provider-specific {@code extra} map,
 * sorted by key) — the values after the submitter's defaults are applied. It deliberately leaves out what a
 * resubmission may legitimately recompute: jobId, submittedAt, deadline, priority, attributes and the
 * idempotency key itself (already in the jobId). Two submissions under the same tenant + idempotency key are the
 * same job exactly when their hashes are equal.
 *
 * <p>Encoding version 1 (fixed forever; a change needs a new version byte, as stored hashes would no longer
 * match): the byte {@code 0x01}, then each field in the order above; a string is its UTF-8 length as a 4-byte
 * big-endian int followed by its UTF-8 bytes; a role is its schema symbol ({@code USER} ...) as a string; a list
 * or map is its size as a 4-byte int followed by its items (a map entry is key, then value; entries sorted by key in
 * {@link String#compareTo} order); temperature and topP
 * are IEEE 754 doubles as 8 big-endian bytes ({@code -0.0} written as {@code 0.0}); maxTokens is a 4-byte int and
 * seed an 8-byte long; topP and seed are preceded by {@code 0x00} when absent (nothing follows) or {@code 0x01}.
 * The same job hashes the same on every JVM. Immutable.
 */
public final class PayloadHash {

    /** Length of a hash in bytes. */
    public static final int LENGTH = 32;
    /** Version byte of the canonical encoding. */
    public static final byte VERSION = 1;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private PayloadHash(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The hash of {@code job}'s provider-visible payload. */
    public static PayloadHash of(PromptJob job) {
        Encoder e = new Encoder();
        e.bytes(new byte[] {VERSION});
        e.string(job.getTenant());
        e.string(job.getModel());
        List<ChatMessage> messages = job.getMessages();
        e.int32(messages.size());
        for (ChatMessage message : messages) {
            e.string(message.getRole().name());
            e.string(message.getContent());
        }
        GenerationParameters p = job.getParameters();
        e.float64(p.getTemperature());
        e.int32(p.getMaxTokens());
        e.optionalFloat64(p.getTopP());
        e.optionalInt64(p.getSeed());
        e.int32(p.getStop().size());
        for (String stop : p.getStop()) {
            e.string(stop);
        }
        Map<String, String> extra = new TreeMap<>(p.getExtra());
        e.int32(extra.size());
        extra.forEach((key, value) -> {
            e.string(key);
            e.string(value);
        });
        return new PayloadHash(e.digest());
    }

    /**
     * A hash from its {@value #LENGTH} raw bytes (a header value, a ledger entry), copied.
     *
     * @throws IllegalArgumentException if {@code bytes} is not {@value #LENGTH} bytes long
     */
    public static PayloadHash fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a payload hash has " + LENGTH + " bytes, but was " + bytes.length);
        }
        return new PayloadHash(bytes.clone());
    }

    /** A hash from the remaining bytes of {@code buffer} (an Avro {@code bytes} field), without moving it. */
    public static PayloadHash fromBytes(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return fromBytes(copy);
    }

    /** The {@value #LENGTH} raw bytes, a fresh copy (a header value). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The raw bytes as a read-only buffer (an Avro {@code bytes} field). */
    public ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof PayloadHash that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Lower-case hex, 64 characters. */
    @Override
    public String toString() {
        return HEX.formatHex(bytes);
    }

    /** Feeds the canonical encoding into SHA-256 without building it in memory. */
    private static final class Encoder {
        private final MessageDigest sha256;
        private final ByteBuffer scratch = ByteBuffer.allocate(Long.BYTES);

        Encoder() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required by every Java platform", e);
            }
        }

        void bytes(byte[] value) {
            sha256.update(value);
        }

        void string(String value) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            int32(utf8.length);
            sha256.update(utf8);
        }

        void int32(int value) {
            sha256.update(scratch.clear().putInt(value).array(), 0, Integer.BYTES);
        }

        void int64(long value) {
            sha256.update(scratch.clear().putLong(value).array(), 0, Long.BYTES);
        }

        void float64(double value) {
            int64(Double.doubleToLongBits(value == 0.0 ? 0.0 : value));
        }

        void optionalFloat64(@Nullable Double value) {
            sha256.update((byte) (value == null ? 0 : 1));
            if (value != null) {
                float64(value);
            }
        }

        void optionalInt64(@Nullable Long value) {
            sha256.update((byte) (value == null ? 0 : 1));
            if (value != null) {
                int64(value);
            }
        }

        byte[] digest() {
            return sha256.digest();
        }
    }
}
