package io.promptq.registry;

/**
 * The bytes of a record do not start with the Confluent wire-format magic byte {@code 0}: the
 * record was not written by a schema-registry-aware Avro serializer (or is not Avro at all).
 */
public class UnknownMagicByteException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final byte found;

    public UnknownMagicByteException(String topic, boolean isKey, byte found) {
        super(String.format(
                "Unknown magic byte 0x%02x in the %s of a record from topic '%s': expected 0x00 "
                        + "(Confluent wire format); the record was not written by a schema registry Avro serializer",
                found, isKey ? "key" : "value", topic));
        this.topic = topic;
        this.found = found;
    }

    /** The topic the record came from. */
    public String topic() {
        return topic;
    }

    /** The first byte of the record, found where the magic byte was expected. */
    public byte found() {
        return found;
    }
}
