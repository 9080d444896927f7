package io.promptq.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.registry.AvroDeserializer;
import io.promptq.registry.AvroSerializer;
import io.promptq.registry.testdata.Greeting;
import java.io.IOException;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Serdes created reflectively, as Kafka clients and tools do, and configured with Confluent keys. */
class ConfiguredSerdesTest {

    private final StubRegistry stub = new StubRegistry();
    private final Greeting greeting = Greeting.newBuilder().setId("g").setText("hi").setCount(1).build();

    ConfiguredSerdesTest() throws IOException {}

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void reflectivelyCreatedSerdesRoundTripThroughTheRegistryAtSchemaRegistryUrl() throws Exception {
        stub.answer(200, "{\"id\":11}")
                .answer(200, new ObjectMapper().createObjectNode().put("schema", Greeting.getClassSchema().toString())
                        .toString());
        Serializer<Greeting> serializer = Utils.newInstance(AvroSerializer.class);
        Deserializer<Greeting> deserializer = Utils.newInstance(AvroDeserializer.class);
        serializer.configure(Map.of("schema.registry.url", stub.url()), false);
        deserializer.configure(Map.of("schema.registry.url", stub.url(),
                AvroDeserializer.VALUE_TYPE_CONFIG, Greeting.class.getName()), false);

        byte[] bytes = serializer.serialize("greetings", greeting);

        assertThat(deserializer.deserialize("greetings", bytes)).isEqualTo(greeting);
        assertThat(stub.received).extracting(StubRegistry.Received::rawPath)
                .containsExactly("/subjects/greetings-value/versions", "/schemas/ids/11");
        serializer.close();
        deserializer.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutATypeTheConfiguredDeserializerReturnsGenericRecords() throws Exception {
        stub.answer(200, new ObjectMapper().createObjectNode().put("schema", Greeting.getClassSchema().toString())
                .toString());
        Deserializer<Object> deserializer = Utils.newInstance(AvroDeserializer.class);
        deserializer.configure(Map.of("schema.registry.url", stub.url()), true);
        byte[] bytes = new AvroSerializer<Greeting>(new InMemorySchemaRegistryClient(), true, true)
                .serialize("greetings", greeting);

        assertThat(deserializer.deserialize("greetings", bytes)).isInstanceOf(GenericRecord.class);
        deserializer.close();
    }

    @Test
    void anUnknownOrUnsuitableTypeFailsNamingTheKey() {
        assertThatThrownBy(() -> new AvroDeserializer<>().configure(Map.of("schema.registry.url", stub.url(),
                AvroDeserializer.KEY_TYPE_CONFIG, "io.promptq.NoSuchClass"), true))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AvroDeserializer.KEY_TYPE_CONFIG)
                .hasMessageContaining("io.promptq.NoSuchClass");
        assertThatThrownBy(() -> new AvroDeserializer<>().configure(Map.of("schema.registry.url", stub.url(),
                AvroDeserializer.VALUE_TYPE_CONFIG, String.class.getName()), false))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not a generated Avro SpecificRecord");
    }

    @Test
    void unconfiguredSerializerFailsClearly() {
        assertThatThrownBy(() -> new AvroSerializer<Greeting>().serialize("t", greeting))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("configure");
    }
}
