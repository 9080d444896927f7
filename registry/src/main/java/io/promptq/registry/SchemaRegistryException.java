package io.promptq.registry;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Root of the registry and serde failures. It extends Kafka's {@link SerializationException} so a
 * failure inside a serializer or deserializer reaches the application the way Kafka reports any
 * (de)serialization error, e.g. as the cause of a {@code RecordDeserializationException}.
 */
public class SchemaRegistryException extends SerializationException {

    private static final long serialVersionUID = 1L;

    public SchemaRegistryException(String message) {
        super(message);
    }

    public SchemaRegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
