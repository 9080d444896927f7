package io.promptq.aggregator.internal;

import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A registry-backed serde that always uses the subject of one topic, whatever topic Kafka Streams passes
 * (a changelog, a repartition topic). State stores of {@code JobResult}s thus reuse the schema already
 * registered for the results topic, and work with auto-registration off.
 */
public final class FixedSubjectSerde {

    private FixedSubjectSerde() {}

    /** {@code serde}, with every call made as if for {@code topic}. */
    public static <T> Serde<T> of(Serde<T> serde, String topic) {
        Objects.requireNonNull(serde, "serde");
        Objects.requireNonNull(topic, "topic");
        Serializer<T> serializer = serde.serializer();
        Deserializer<T> deserializer = serde.deserializer();
        return Serdes.serdeFrom(
                new Serializer<>() {
                    @Override
                    public byte[] serialize(String ignored, T value) {
                        return serializer.serialize(topic, value);
                    }
                },
                new Deserializer<>() {
                    @Override
                    public T deserialize(String ignored, byte[] data) {
                        return deserializer.deserialize(topic, data);
                    }
                });
    }
}
