package io.promptq.registry;

import io.promptq.registry.internal.AvroClassTrust;
import io.promptq.registry.internal.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * Kafka serializer writing Avro records (specific or generic) in the Confluent wire format, so any
 * Confluent-ecosystem consumer can read them. The schema is registered (or, without
 * auto-registration, looked up) under the TopicNameStrategy subject {@code <topic>-value} or
 * {@code <topic>-key}; its id is cached per topic, so after the first record the hot path does no
 * registry I/O. Thread-safe.
 *
 * <p>Create it with {@link AvroSerdes}, or reflectively (Kafka tools, {@code
 * value.serializer=io.promptq.registry.AvroSerializer}) and configure it with the Confluent keys
 * of {@link RegistryConfig#fromProperties(Map)}.
 */
public class AvroSerializer<T extends IndexedRecord> implements Serializer<T> {

    static {
        AvroClassTrust.ensureInstalled();
    }

    private final Map<String, TopicSchema> schemaIdsByTopic = new ConcurrentHashMap<>();
    private final Map<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();
    private @Nullable SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean autoRegister;
    private boolean isKey;

    /** For reflective creation; {@link #configure(Map, boolean)} must be called before use. */
    public AvroSerializer() {}

    /**
     * A serializer using {@code client}, which it does not close.
     *
     * @param autoRegister register the schema (true) or only look its id up (false)
     * @param isKey whether it serializes record keys (subject {@code <topic>-key})
     */
    public AvroSerializer(SchemaRegistryClient client, boolean autoRegister, boolean isKey) {
        this.client = Objects.requireNonNull(client, "client");
        this.autoRegister = autoRegister;
        this.isKey = isKey;
    }

    /**
     * Creates a registry client from the Confluent keys in {@code configs}; a no-op when this
     * serializer was given a client.
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            return;
        }
        RegistryConfig config = RegistryConfig.fromProperties(configs);
        this.client = SchemaRegistryClient.create(config);
        this.ownsClient = true;
        this.autoRegister = config.autoRegister();
        this.isKey = isKey;
    }

    @Override
    public byte @Nullable [] serialize(String topic, @Nullable T record) {
        if (record == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroSerializer is not configured: call configure(Map, boolean) first");
        }
        Schema schema = record.getSchema();
        int schemaId = schemaId(topic, schema);
        DatumWriter<Object> writer = writers.get(schema);
        if (writer == null) {
            writer = writers.computeIfAbsent(schema, s -> newWriter(record, s));
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            WireFormat.writeHeader(out, schemaId);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("Cannot encode the " + (isKey ? "key" : "value") + " of a record for topic '"
                    + topic + "' with schema " + schema.getFullName() + " (id " + schemaId + "): " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private int schemaId(String topic, Schema schema) {
        TopicSchema cached = schemaIdsByTopic.get(topic);
        if (cached != null && cached.schema() == schema) {
            return cached.id();
        }
        String subject = AvroSerdes.subjectName(topic, isKey);
        int id = autoRegister ? client.register(subject, schema) : client.idOf(subject, schema);
        schemaIdsByTopic.put(topic, new TopicSchema(schema, id));
        return id;
    }

    private static DatumWriter<Object> newWriter(IndexedRecord record, Schema schema) {
        return record instanceof SpecificRecord
                ? new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass()))
                : new GenericDatumWriter<>(schema, GenericData.get());
    }

    /** The last schema written to a topic and its id; compared by identity, as generated classes share one. */
    private record TopicSchema(Schema schema, int id) {}
}
