package io.promptq.topic;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A Kafka topic and the serdes of its keys and values.
 *
 * @param <K> key type
 * @param <V> value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        if (name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
    }

    public Serializer<K> keySerializer() {
        return keySerde.serializer();
    }

    public Serializer<V> valueSerializer() {
        return valueSerde.serializer();
    }

    public Deserializer<K> keyDeserializer() {
        return keySerde.deserializer();
    }

    public Deserializer<V> valueDeserializer() {
        return valueSerde.deserializer();
    }

    @Override
    public String toString() {
        return name;
    }
}
