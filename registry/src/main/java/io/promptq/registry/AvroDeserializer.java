package io.promptq.registry;

import io.promptq.registry.internal.AvroClassTrust;
import io.promptq.registry.internal.WireFormat;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;

/**
 * Kafka deserializer reading the Confluent wire format. It fetches the writer's schema by the id in
 * the record (cached) and resolves it against the reader's schema, so records written with an
 * older or newer compatible schema still decode. Thread-safe; {@code null} (a tombstone) yields
 * {@code null}.
 *
 * <p>With a target class it returns instances of that generated {@link SpecificRecord}; without
 * one it returns what {@link GenericDatumReader} produces (a {@code GenericRecord} for records).
 * Reflectively created instances read the class name from {@value #VALUE_TYPE_CONFIG} or {@value
 * #KEY_TYPE_CONFIG} and the registry from the Confluent keys of {@link
 * RegistryConfig#fromProperties(Map)}.
 */
public class AvroDeserializer<T> implements Deserializer<T> {

    public static final String VALUE_TYPE_CONFIG = "promptq.avro.value.type";
    public static final String VALUE_TYPE_DOC =
            "Generated SpecificRecord class that record values are decoded into; GenericRecord when absent.";
    public static final String KEY_TYPE_CONFIG = "promptq.avro.key.type";
    public static final String KEY_TYPE_DOC =
            "Generated SpecificRecord class that record keys are decoded into; GenericRecord when absent.";

    static {
        AvroClassTrust.ensureInstalled();
    }

    private final Map<Integer, DatumReader<Object>> readersBySchemaId = new ConcurrentHashMap<>();
    private Class<?> type;
    private Schema readerSchema;
    private SpecificData model;
    private @Nullable SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean isKey;

    /** For reflective creation; {@link #configure(Map, boolean)} must be called before use. */
    public AvroDeserializer() {}

    /**
     * A deserializer into the generated class {@code type}, using {@code client}, which it does not
     * close.
     */
    public AvroDeserializer(Class<T> type, SchemaRegistryClient client, boolean isKey) {
        this.client = Objects.requireNonNull(client, "client");
        this.isKey = isKey;
        useType(Objects.requireNonNull(type, "type"));
    }

    /** A deserializer into generic records, using {@code client}, which it does not close. */
    public static AvroDeserializer<Object> generic(SchemaRegistryClient client, boolean isKey) {
        AvroDeserializer<Object> deserializer = new AvroDeserializer<>();
        deserializer.client = Objects.requireNonNull(client, "client");
        deserializer.isKey = isKey;
        return deserializer;
    }

    /**
     * Creates a registry client from the Confluent keys in {@code configs} and loads the target
     * class; a no-op when this deserializer was given a client.
     *
     * @throws ConfigException naming the key, if a value is invalid
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client != null) {
            return;
        }
        String typeKey = isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG;
        Object typeName = configs.get(typeKey);
        if (typeName instanceof Class<?> configured) {
            useType(configured);
        } else if (typeName != null && !typeName.toString().isBlank()) {
            try {
                useType(Class.forName(typeName.toString().trim(), true, Utils.getContextOrKafkaClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new ConfigException(typeKey, typeName, "class not found");
            } catch (IllegalArgumentException e) {
                throw new ConfigException(typeKey, typeName, e.getMessage());
            }
        }
        this.client = SchemaRegistryClient.create(RegistryConfig.fromProperties(configs));
        this.ownsClient = true;
        this.isKey = isKey;
    }

    @Override
    @SuppressWarnings("unchecked")
    public @Nullable T deserialize(String topic, byte @Nullable [] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new IllegalStateException("AvroDeserializer is not configured: call configure(Map, boolean) first");
        }
        int schemaId = WireFormat.readSchemaId(data, topic, isKey);
        DatumReader<Object> reader = reader(schemaId);
        try {
            return (T) reader.read(null, DecoderFactory.get()
                    .binaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE, null));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | ClassCastException e) {
            throw new SerializationException("Cannot decode the " + (isKey ? "key" : "value") + " of a record from topic '"
                    + topic + "' with writer schema id " + schemaId + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }

    private void useType(Class<?> candidate) {
        if (!SpecificRecord.class.isAssignableFrom(candidate)) {
            throw new IllegalArgumentException(candidate.getName() + " is not a generated Avro SpecificRecord class");
        }
        this.type = candidate;
        this.model = SpecificData.getForClass(candidate);
        this.readerSchema = model.getSchema(candidate);
    }

    private DatumReader<Object> reader(int schemaId) {
        DatumReader<Object> reader = readersBySchemaId.get(schemaId);
        if (reader == null) {
            Schema writerSchema = client.schemaById(schemaId);
            reader = type == null
                    ? new GenericDatumReader<>(writerSchema, writerSchema, GenericData.get())
                    : new SpecificDatumReader<>(writerSchema, readerSchema, model);
            DatumReader<Object> raced = readersBySchemaId.putIfAbsent(schemaId, reader);
            if (raced != null) {
                reader = raced;
            }
        }
        return reader;
    }
}
