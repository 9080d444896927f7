package io.promptq.registry.internal;

import io.promptq.registry.UnknownMagicByteException;
import java.io.ByteArrayOutputStream;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte {@code 0}, the schema id as a 4-byte big-endian int, then
 * the Avro binary encoding of the record.
 */
public final class WireFormat {

    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** Writes the 5-byte header for {@code schemaId} to {@code out}. */
    public static void writeHeader(ByteArrayOutputStream out, int schemaId) {
        out.write(MAGIC_BYTE);
        out.write(schemaId >>> 24);
        out.write(schemaId >>> 16);
        out.write(schemaId >>> 8);
        out.write(schemaId);
    }

    /**
     * Checks the header of {@code data} and returns the schema id it carries.
     *
     * @throws UnknownMagicByteException if the first byte is not {@link #MAGIC_BYTE}
     * @throws SerializationException if {@code data} is shorter than the header
     */
    public static int readSchemaId(byte[] data, String topic, boolean isKey) {
        if (data.length > 0 && data[0] != MAGIC_BYTE) {
            throw new UnknownMagicByteException(topic, isKey, data[0]);
        }
        if (data.length < HEADER_SIZE) {
            throw new SerializationException("The " + (isKey ? "key" : "value") + " of a record from topic '" + topic
                    + "' has " + data.length + " bytes, fewer than the " + HEADER_SIZE
                    + "-byte Confluent wire-format header");
        }
        return ((data[1] & 0xff) << 24) | ((data[2] & 0xff) << 16) | ((data[3] & 0xff) << 8) | (data[4] & 0xff);
    }
}
