package io.promptq.registry;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Factories of Kafka {@link Serde}s (for clients and Kafka Streams) that speak the Confluent wire
 * format through a {@link SchemaRegistryClient}, with Confluent's default TopicNameStrategy
 * subjects ({@code <topic>-value}, {@code <topic>-key}).
 *
 * <p>The serdes do not close the client they are given: it is usually shared, and the caller
 * closes it.
 */
public final class AvroSerdes {

    private AvroSerdes() {}

    /** A serde of record values of the generated class {@code type}. */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, SchemaRegistryClient client,
            boolean autoRegister) {
        return specific(type, client, autoRegister, false);
    }

    /**
     * A serde of the generated class {@code type}, for record keys if {@code isKey}.
     *
     * @param autoRegister register the writer's schema (true) or only look its id up (false), as
     *     Confluent's {@code auto.register.schemas}
     */
    public static <T extends SpecificRecord> Serde<T> specific(Class<T> type, SchemaRegistryClient client,
            boolean autoRegister, boolean isKey) {
        return Serdes.serdeFrom(new AvroSerializer<T>(client, autoRegister, isKey),
                new AvroDeserializer<>(type, client, isKey));
    }

    /** The TopicNameStrategy subject of {@code topic}: {@code <topic>-key} or {@code <topic>-value}. */
    public static String subjectName(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
