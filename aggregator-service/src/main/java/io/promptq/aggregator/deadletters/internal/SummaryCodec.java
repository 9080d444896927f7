package io.promptq.aggregator.deadletters.internal;

import io.promptq.aggregator.deadletters.DeadLetterSummary;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The compact value of a summary in the store: version, at, attempts, decodable, then jobId, tenant, model, reason
 * and message as length-prefixed UTF-8 (length -1: null). The id lives in the key.
 */
public final class SummaryCodec {

    private static final byte VERSION = 1;

    private SummaryCodec() {}

    /** Encodes {@code summary}, whose message is cut to {@link DeadLetterSummary#MAX_MESSAGE}. */
    public static byte[] encode(DeadLetterSummary summary) {
        byte[][] texts = {utf8(summary.jobId()), utf8(summary.tenant()), utf8(summary.model()), utf8(summary.reason()),
                utf8(cut(summary.message()))};
        int size = 1 + 8 + 4 + 1;
        for (byte[] text : texts) {
            size += 4 + (text == null ? 0 : text.length);
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).put(VERSION).putLong(summary.at()).putInt(summary.attempts())
                .put((byte) (summary.decodable() ? 1 : 0));
        for (byte[] text : texts) {
            if (text == null) {
                buffer.putInt(-1);
            } else {
                buffer.putInt(text.length).put(text);
            }
        }
        return buffer.array();
    }

    /** Decodes the summary stored as {@code value} for the dead letter {@code id}. */
    public static DeadLetterSummary decode(String id, byte[] value) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        byte version = buffer.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown dead-letter summary version " + version + " of " + id);
        }
        long at = buffer.getLong();
        int attempts = buffer.getInt();
        boolean decodable = buffer.get() == 1;
        String jobId = text(buffer);
        String tenant = text(buffer);
        String model = text(buffer);
        String reason = text(buffer);
        String message = text(buffer);
        return new DeadLetterSummary(id, jobId, tenant, model, reason == null ? "" : reason,
                message == null ? "" : message, attempts, at, decodable, null);
    }

    /** {@code message} cut to {@link DeadLetterSummary#MAX_MESSAGE} characters. */
    public static String cut(String message) {
        return message.length() <= DeadLetterSummary.MAX_MESSAGE ? message
                : message.substring(0, DeadLetterSummary.MAX_MESSAGE);
    }

    private static byte @Nullable [] utf8(@Nullable String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static @Nullable String text(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        String text = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
        buffer.position(buffer.position() + length);
        return text;
    }
}
