package io.promptq.aggregator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import org.junit.jupiter.api.Test;

class SchemaBootstrapTest {

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Topics topics = Topics.create(TopicNames.defaults(), registry, false);

    @Test
    void withAutoRegistrationTheResultsTotalsAndWindowsSchemasAreRegistered() {
        SchemaBootstrap.ensureSchemas(registry, topics, true);

        assertThat(registry.idOf("promptq.results-value", JobResult.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.stats.totals-value", JobStats.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.stats.windows-value", JobStats.getClassSchema())).isPositive();
    }

    @Test
    void withoutAutoRegistrationAMissingSchemaStopsTheStartUpNamingItsSubject() {
        registry.register("promptq.results-value", JobResult.getClassSchema());

        assertThatThrownBy(() -> SchemaBootstrap.ensureSchemas(registry, topics, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.promptq.schema.JobStats is not registered under promptq.stats.totals-value")
                .hasMessageContaining("auto-registration is off");
    }
}
