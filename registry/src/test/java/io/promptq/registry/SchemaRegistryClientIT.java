package io.promptq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.registry.testdata.Greeting;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP client against a real Confluent-compatible registry. */
@PromptqCluster
class SchemaRegistryClientIT {

    private static final Schema V1 = SchemaBuilder.record("Job").namespace("io.promptq.registry.it").fields()
            .requiredString("id")
            .endRecord();
    /** V1 plus an optional field (null or string, default null): BACKWARD compatible. */
    private static final Schema V2 = SchemaBuilder.record("Job").namespace("io.promptq.registry.it").fields()
            .requiredString("id")
            .optionalString("note")
            .endRecord();
    /** V2 plus a required field without default: not BACKWARD compatible. */
    private static final Schema V3 = SchemaBuilder.record("Job").namespace("io.promptq.registry.it").fields()
            .requiredString("id")
            .optionalString("note")
            .requiredString("owner")
            .endRecord();

    private final String registryUrl;
    private final SchemaRegistryClient client;

    SchemaRegistryClientIT(ClusterInfo cluster) {
        this.registryUrl = cluster.schemaRegistryUrl();
        this.client = SchemaRegistryClient.create(RegistryConfig.of(registryUrl));
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    @Test
    void underBackwardCompatibilityAnOptionalFieldIsAcceptedAndARequiredOneRefused() {
        String subject = UniqueNames.of("evolution") + "-value";
        client.setCompatibility(subject, "BACKWARD");
        int v1 = client.register(subject, V1);

        assertThat(client.isCompatible(subject, V2)).isTrue();
        int v2 = client.register(subject, V2);
        assertThat(v2).isNotEqualTo(v1);

        assertThat(client.isCompatible(subject, V3)).isFalse();
        assertThatThrownBy(() -> client.register(subject, V3))
                .isInstanceOfSatisfying(IncompatibleSchemaException.class, e -> {
                    assertThat(e.subject()).isEqualTo(subject);
                    assertThat(e.registryMessage()).isNotBlank();
                })
                .hasMessageContaining(subject);
    }

    @Test
    void registeringTheSameSchemaAgainReturnsTheSameIdAcrossSubjectsAndClients() {
        String topic = UniqueNames.of("same");
        int id = client.register(AvroSerdes.subjectName(topic, false), Greeting.getClassSchema());

        try (SchemaRegistryClient fresh = SchemaRegistryClient.create(RegistryConfig.of(registryUrl))) {
            assertThat(fresh.register(AvroSerdes.subjectName(topic, false), Greeting.getClassSchema())).isEqualTo(id);
            assertThat(fresh.idOf(AvroSerdes.subjectName(topic, false), Greeting.getClassSchema())).isEqualTo(id);
            assertThat(fresh.schemaById(id)).isEqualTo(Greeting.getClassSchema());
        }
    }

    @Test
    void lookupOfAnUnregisteredSchemaRaisesUnknownSchemaException() {
        String subject = UniqueNames.of("unknown") + "-value";

        assertThatThrownBy(() -> client.idOf(subject, V1))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining(subject);
        client.register(subject, V1);
        assertThatThrownBy(() -> client.idOf(subject, V2)).isInstanceOf(UnknownSchemaException.class);
    }

    @Test
    void unknownSchemaIdRaisesUnknownSchemaIdException() {
        assertThatThrownBy(() -> client.schemaById(999_999))
                .isInstanceOfSatisfying(UnknownSchemaIdException.class, e -> assertThat(e.schemaId()).isEqualTo(999_999));
    }

    @Test
    void unreachableRegistryRaisesRegistryUnreachableExceptionQuicklyNamingTheUrl() throws IOException {
        String closedUrl;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedUrl = "http://127.0.0.1:" + socket.getLocalPort();
        }
        RegistryConfig config = RegistryConfig.of(closedUrl)
                .toBuilder().requestTimeout(Duration.ofSeconds(1)).maxRetries(2).retryBackoff(Duration.ofMillis(20)).build();
        long start = System.nanoTime();

        try (SchemaRegistryClient unreachable = SchemaRegistryClient.create(config)) {
            assertThatThrownBy(() -> AvroSerdes.specific(Greeting.class, unreachable, true).serializer()
                    .serialize("t", Greeting.newBuilder().setId("g").setText("t").setCount(0).build()))
                    .isInstanceOfSatisfying(RegistryUnreachableException.class,
                            e -> assertThat(e.urls()).hasSize(1))
                    .hasMessageContaining(closedUrl)
                    .hasMessageContaining("Connect");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
}
