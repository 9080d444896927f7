package io.promptq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SchemaRegistrationTest {

    private static final Schema PING = SchemaBuilder.record("Ping").namespace("io.promptq.test")
            .fields().requiredString("id").endRecord();
    private static final Schema PONG = SchemaBuilder.record("Pong").namespace("io.promptq.test")
            .fields().requiredLong("at").endRecord();

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final List<Duration> waits = new ArrayList<>();
    private final Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).fullJitter()
            .maxAttempts(3).sleeper(waits::add).build();

    @Test
    void registersEverySubjectInOrderAndReturnsTheIds() {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put("b-value", PING);
        subjects.put("a-value", PONG);

        Map<String, Integer> ids = SchemaRegistration.of(registry, backoff).registerAll(subjects);

        assertThat(ids.keySet()).containsExactly("b-value", "a-value");
        assertThat(ids.get("b-value")).isEqualTo(registry.idOf("b-value", PING));
        assertThat(ids.get("a-value")).isEqualTo(registry.idOf("a-value", PONG));
        assertThat(waits).isEmpty();
    }

    @Test
    void aSubjectThatFailsIsTriedAgainAfterABackoffUntilItRegisters() {
        FailingFirst flaky = new FailingFirst(registry, 2);

        Map<String, Integer> ids = SchemaRegistration.of(flaky, backoff).registerAll(Map.of("s", PING));

        assertThat(ids).containsEntry("s", registry.idOf("s", PING));
        assertThat(flaky.calls).isEqualTo(3);
        assertThat(waits).hasSize(2).allSatisfy(w -> assertThat(w).isBetween(Duration.ZERO, Duration.ofMillis(200)));
    }

    @Test
    void theLastFailureIsThrownOnceTheAttemptsAreSpent() {
        FailingFirst broken = new FailingFirst(registry, Integer.MAX_VALUE);

        assertThatThrownBy(() -> SchemaRegistration.of(broken, backoff).registerAll(Map.of("s", PING)))
                .isInstanceOf(IncompatibleSchemaException.class)
                .hasMessageContaining("s");
        assertThat(broken.calls).isEqualTo(3);
        assertThat(waits).hasSize(2);
    }

    @Test
    void requireRegisteredNamesTheMissingSchemaAndSubject() {
        registry.register("present-value", PING);

        assertThatThrownBy(() -> SchemaRegistration.of(registry).requireRegistered(
                Map.of("present-value", PING, "missing-value", PONG)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.promptq.test.Pong is not registered under missing-value")
                .hasMessageContaining("auto-registration is off");
    }

    @Test
    void anUnboundedBackoffIsRefused() {
        Backoff unbounded = Backoff.exponential(Duration.ofMillis(1), Duration.ofMillis(2)).build();

        assertThatThrownBy(() -> SchemaRegistration.of(registry, unbounded))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Refuses the first {@code failures} registrations with a 409, as a registry racing another instance does. */
    private static final class FailingFirst implements SchemaRegistryClient {
        private final SchemaRegistryClient delegate;
        private final int failures;
        int calls;

        FailingFirst(SchemaRegistryClient delegate, int failures) {
            this.delegate = delegate;
            this.failures = failures;
        }

        @Override
        public int register(String subject, Schema schema) {
            if (++calls <= failures) {
                throw new IncompatibleSchemaException(subject, "artifact already exists");
            }
            return delegate.register(subject, schema);
        }

        @Override
        public int idOf(String subject, Schema schema) {
            return delegate.idOf(subject, schema);
        }

        @Override
        public Schema schemaById(int id) {
            return delegate.schemaById(id);
        }

        @Override
        public boolean isCompatible(String subject, Schema schema) {
            return delegate.isCompatible(subject, schema);
        }

        @Override
        public void setCompatibility(String subject, String level) {
            delegate.setCompatibility(subject, level);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
