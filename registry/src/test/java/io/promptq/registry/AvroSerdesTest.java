package io.promptq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.registry.testdata.Greeting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdesTest {

    private static final String TOPIC = "greetings";

    /** Greeting before it had the {@code lang} field. */
    private static final Schema GREETING_V0 = new Schema.Parser().parse("""
            {"type": "record", "name": "Greeting", "namespace": "io.promptq.registry.testdata", "fields": [
              {"name": "id", "type": "string"},
              {"name": "text", "type": "string"},
              {"name": "count", "type": "int"}]}
            """);

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Serde<Greeting> serde = AvroSerdes.specific(Greeting.class, registry, true);

    private static Greeting greeting() {
        return Greeting.newBuilder().setId("g-1").setText("hello").setCount(3).setLang("fr").build();
    }

    @Test
    void serializedValueIsMagicByteThenBigEndianSchemaIdThenAvroBinary() throws IOException {
        int schemaId = 0x01020304;
        SchemaRegistryClient fixedId = new FixedIdRegistry(schemaId);
        byte[] bytes = AvroSerdes.specific(Greeting.class, fixedId, true).serializer().serialize(TOPIC, greeting());

        assertThat(bytes[0]).isEqualTo((byte) 0);
        assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0x01, 0x02, 0x03, 0x04);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(schemaId);
        assertThat(Arrays.copyOfRange(bytes, 5, bytes.length)).isEqualTo(plainAvro(greeting()));
    }

    @Test
    void recordRoundTripsThroughTheInMemoryRegistry() {
        byte[] bytes = serde.serializer().serialize(TOPIC, greeting());

        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isEqualTo(greeting());
    }

    @Test
    void nullSerializesToNullAndDeserializesToNullForTombstones() {
        assertThat(serde.serializer().serialize(TOPIC, null)).isNull();
        assertThat(serde.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void valueSchemaIsRegisteredUnderTopicValueSubjectAndKeySchemaUnderTopicKey() {
        byte[] value = serde.serializer().serialize(TOPIC, greeting());
        byte[] key = AvroSerdes.specific(Greeting.class, registry, true, true).serializer().serialize(TOPIC, greeting());

        int id = registry.idOf("greetings-value", Greeting.getClassSchema());
        assertThat(registry.idOf("greetings-key", Greeting.getClassSchema())).isEqualTo(id);
        assertThat(ByteBuffer.wrap(value, 1, 4).getInt()).isEqualTo(id);
        assertThat(ByteBuffer.wrap(key, 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void serializerCallsTheRegistryOnlyForTheFirstRecordOfATopic() {
        CountingRegistry counting = new CountingRegistry(registry);
        Serde<Greeting> countingSerde = AvroSerdes.specific(Greeting.class, counting, true);

        for (int i = 0; i < 100; i++) {
            countingSerde.serializer().serialize(TOPIC, greeting());
        }
        countingSerde.serializer().serialize("other-topic", greeting());

        assertThat(counting.registrations.get()).isEqualTo(2);
    }

    @Test
    void deserializerFetchesEachWriterSchemaOnce() {
        CountingRegistry counting = new CountingRegistry(registry);
        Serde<Greeting> countingSerde = AvroSerdes.specific(Greeting.class, counting, true);
        byte[] bytes = countingSerde.serializer().serialize(TOPIC, greeting());

        for (int i = 0; i < 100; i++) {
            countingSerde.deserializer().deserialize(TOPIC, bytes);
        }

        assertThat(counting.lookupsById.get()).isEqualTo(1);
    }

    @Test
    void withoutAutoRegisterTheSerializerLooksTheIdUpAndFailsForAnUnregisteredSchema() {
        Serde<Greeting> lookupOnly = AvroSerdes.specific(Greeting.class, registry, false);

        assertThatThrownBy(() -> lookupOnly.serializer().serialize(TOPIC, greeting()))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("greetings-value");

        int id = registry.register("greetings-value", Greeting.getClassSchema());
        assertThat(ByteBuffer.wrap(lookupOnly.serializer().serialize(TOPIC, greeting()), 1, 4).getInt()).isEqualTo(id);
    }

    @Test
    void garbageBytesRaiseUnknownMagicByteExceptionNamingTopicAndByte() {
        byte[] garbage = "{\"not\": \"avro\"}".getBytes();

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, garbage))
                .isInstanceOf(UnknownMagicByteException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("0x7b")
                .hasMessageContaining("'greetings'");
    }

    @Test
    void unknownSchemaIdRaisesUnknownSchemaIdException() {
        byte[] bytes = ByteBuffer.allocate(8).put((byte) 0).putInt(999_999).put(new byte[] {2, 4, 6}).array();

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, bytes))
                .isInstanceOfSatisfying(UnknownSchemaIdException.class,
                        e -> assertThat(e.schemaId()).isEqualTo(999_999))
                .hasMessageContaining("999999");
    }

    @Test
    void bytesShorterThanTheHeaderRaiseSerializationException() {
        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {0, 0, 1}))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("3 bytes");
    }

    @Test
    void truncatedAvroPayloadRaisesSerializationExceptionNamingTopicAndSchemaId() {
        byte[] bytes = serde.serializer().serialize(TOPIC, greeting());
        byte[] truncated = Arrays.copyOf(bytes, 8);

        assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("'greetings'")
                .hasMessageContaining("schema id");
    }

    @Test
    void recordWrittenWithAnOlderSchemaDecodesIntoTheNewerClassWithDefaults() {
        GenericRecord old = new GenericData.Record(GREETING_V0);
        old.put("id", "g-0");
        old.put("text", "hi");
        old.put("count", 1);
        byte[] bytes = new AvroSerializer<GenericRecord>(registry, true, false).serialize(TOPIC, old);

        Greeting decoded = serde.deserializer().deserialize(TOPIC, bytes);

        assertThat(decoded).isEqualTo(Greeting.newBuilder().setId("g-0").setText("hi").setCount(1).build());
        assertThat(decoded.getLang()).isEqualTo("en");
    }

    @Test
    void genericDeserializerDecodesIntoGenericRecordWithTheWriterSchema() {
        byte[] bytes = serde.serializer().serialize(TOPIC, greeting());

        Object decoded = AvroDeserializer.generic(registry, false).deserialize(TOPIC, bytes);

        assertThat(decoded).isInstanceOfSatisfying(GenericRecord.class, record -> {
            assertThat(record.getSchema()).isEqualTo(Greeting.getClassSchema());
            assertThat(record.get("text")).hasToString("hello");
        });
    }

    @Test
    void specificRecordsDecodeWithoutTheSerializablePackagesSystemProperty() {
        assertThat(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"))
                .as("surefire must not set the property for this module")
                .isNull();

        byte[] bytes = serde.serializer().serialize(TOPIC, greeting());

        assertThat(serde.deserializer().deserialize(TOPIC, bytes)).isInstanceOf(Greeting.class);
    }

    @Test
    void classTrustAddsPromptqPackagesAndKeepsRejectingOtherClasses() {
        assertThat(serde).isNotNull(); // the serde classes are loaded, so the trust is installed

        ClassSecurityValidator.validate(Greeting.class);
        assertThatThrownBy(() -> ClassSecurityValidator.validate(java.util.ArrayList.class))
                .isInstanceOf(SecurityException.class);
    }

    @Test
    void serializerIsSafeToShareAcrossVirtualThreads() throws Exception {
        List<Future<Greeting>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                Greeting expected = Greeting.newBuilder(greeting()).setCount(i).build();
                results.add(threads.submit(() -> serde.deserializer()
                        .deserialize(TOPIC, serde.serializer().serialize(TOPIC, expected))));
            }
        }
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).get().getCount()).isEqualTo(i);
        }
    }

    private static byte[] plainAvro(Greeting record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Greeting.class).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** A registry that gives every schema the same id. */
    private record FixedIdRegistry(int id) implements SchemaRegistryClient {
        @Override public int register(String subject, Schema schema) { return id; }
        @Override public int idOf(String subject, Schema schema) { return id; }
        @Override public Schema schemaById(int schemaId) { return Greeting.getClassSchema(); }
        @Override public boolean isCompatible(String subject, Schema schema) { return true; }
        @Override public void setCompatibility(String subject, String level) { }
        @Override public void close() { }
    }

    /** Counts the calls that would be registry I/O. */
    private static final class CountingRegistry implements SchemaRegistryClient {
        final AtomicInteger registrations = new AtomicInteger();
        final AtomicInteger lookupsById = new AtomicInteger();
        private final SchemaRegistryClient delegate;

        CountingRegistry(SchemaRegistryClient delegate) {
            this.delegate = delegate;
        }

        @Override public int register(String subject, Schema schema) {
            registrations.incrementAndGet();
            return delegate.register(subject, schema);
        }
        @Override public int idOf(String subject, Schema schema) { return delegate.idOf(subject, schema); }
        @Override public Schema schemaById(int id) {
            lookupsById.incrementAndGet();
            return delegate.schemaById(id);
        }
        @Override public boolean isCompatible(String subject, Schema schema) { return true; }
        @Override public void setCompatibility(String subject, String level) { }
        @Override public void close() { }
    }
}
