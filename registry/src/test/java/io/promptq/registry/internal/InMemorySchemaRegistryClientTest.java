package io.promptq.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.UnknownSchemaException;
import io.promptq.registry.UnknownSchemaIdException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryClientTest {

    private static final Schema A = SchemaBuilder.record("A").fields().requiredInt("x").endRecord();
    private static final Schema B = SchemaBuilder.record("B").fields().requiredInt("y").endRecord();

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();

    @Test
    void idsAreAssignedSequentiallyFromOneAndAnEqualSchemaKeepsItsIdAcrossSubjects() {
        assertThat(registry.register("a-value", A)).isEqualTo(1);
        assertThat(registry.register("b-value", B)).isEqualTo(2);
        assertThat(registry.register("other-value", new Schema.Parser().parse(A.toString()))).isEqualTo(1);
        assertThat(registry.schemaById(2)).isEqualTo(B);
    }

    @Test
    void idOfFindsOnlySchemasRegisteredUnderTheSubject() {
        registry.register("a-value", A);

        assertThat(registry.idOf("a-value", A)).isEqualTo(1);
        assertThatThrownBy(() -> registry.idOf("b-value", A))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("b-value");
    }

    @Test
    void unknownIdRaisesUnknownSchemaIdException() {
        assertThatThrownBy(() -> registry.schemaById(5))
                .isInstanceOf(UnknownSchemaIdException.class)
                .hasMessageContaining("5");
    }
}
