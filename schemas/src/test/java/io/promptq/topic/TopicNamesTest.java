package io.promptq.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.PromptJob;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class TopicNamesTest {

    @Test
    void retryTiersAreNumberedFromOneUnderThePrefix() {
        TopicNames names = TopicNames.from(ConfigSource.of(Map.of(TopicNames.RETRY_PREFIX.name(), "team-a.retry")));

        assertThat(names.retries(3)).containsExactly("team-a.retry.1", "team-a.retry.2", "team-a.retry.3");
        assertThat(names.jobs()).isEqualTo(TopicNames.DEFAULT_JOBS);
    }

    @Test
    void configRoundTripsThroughFrom() {
        TopicNames names = new TopicNames("a.jobs", "a.retry", "a.dlq", "a.results", "a.totals", "a.windows", "a.ledger");

        assertThat(TopicNames.from(ConfigSource.of(names.toConfig()))).isEqualTo(names);
    }

    @Test
    void statusCancellationsAndWebhookDeadLettersAreNamedAfterTheirDeployment() {
        TopicNames names = TopicNames.from(ConfigSource.of(Map.of(TopicNames.JOBS.name(), "team-a.jobs",
                TopicNames.RESULTS.name(), "team-a.results")));

        assertThat(names.status()).isEqualTo("team-a.jobs.status");
        assertThat(names.cancellations()).isEqualTo("team-a.jobs.cancellations");
        assertThat(names.webhookDeadLetters()).isEqualTo("team-a.results.webhooks-dlq");
        assertThat(TopicSpecs.of(names, 3).status(java.time.Duration.ofDays(1)).configs())
                .containsEntry("cleanup.policy", "compact,delete").containsEntry("retention.ms", "86400000");
    }

    @Test
    void theIdempotencyLedgerIsNamedAfterTheJobsTopicUnlessSet() {
        assertThat(TopicNames.defaults().idempotency()).isEqualTo("promptq.jobs.idempotency");
        assertThat(TopicNames.from(ConfigSource.of(Map.of(TopicNames.JOBS.name(), "team-a.jobs"))).idempotency())
                .isEqualTo("team-a.jobs.idempotency");
        assertThat(new TopicNames("b.jobs", "b.retry", "b.dlq", "b.results", "b.totals", "b.windows").idempotency())
                .isEqualTo("b.jobs.idempotency");
        assertThat(TopicNames.from(ConfigSource.of(Map.of(TopicNames.JOBS.name(), "team-a.jobs",
                TopicNames.IDEMPOTENCY.name(), "shared.ledger"))).idempotency()).isEqualTo("shared.ledger");
    }

    @Test
    void illegalTopicNameFailsNamingTheKey() {
        assertThatThrownBy(() -> TopicNames.from(ConfigSource.of(Map.of(TopicNames.RESULTS.name(), "results topic"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(TopicNames.RESULTS.name())
                .hasMessageContaining("'results topic'");
    }

    @Test
    void descriptorsShareSerdesAcrossRetryTiersAndNameEveryTopic() {
        try (SchemaRegistryClient registry = SchemaRegistryClient.inMemory()) {
            Topics topics = Topics.create(TopicNames.defaults(), registry, true);

            assertThat(topics.retry(0).name()).isEqualTo("promptq.jobs.retry.1");
            assertThat(topics.retry(1).valueSerde()).isSameAs(topics.retry(0).valueSerde());
            assertThat(topics.totals().valueSerde()).isSameAs(topics.windows().valueSerde());
            assertThat(topics.deadLetters().name()).isEqualTo("promptq.jobs.dlq");
            assertThat(topics.idempotency().name()).isEqualTo("promptq.jobs.idempotency");
        }
    }

    @Test
    void everyOptionalPromptJobFieldHasADefaultSoOldRecordsStayReadable() {
        Schema schema = PromptJob.getClassSchema();

        assertThat(schema.getFields())
                .filteredOn(f -> f.schema().getType() == Schema.Type.UNION)
                .allSatisfy(f -> assertThat(f.hasDefaultValue()).as(f.name() + " has a default").isTrue());
    }
}
