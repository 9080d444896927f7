package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.RetryJob;
import io.promptq.topic.TopicNames;
import org.junit.jupiter.api.Test;

class OutputSchemasTest {

    @Test
    void registersTheResultsDeadLetterLedgerAndEveryRetryTierSubject() {
        SchemaRegistryClient registry = SchemaRegistryClient.inMemory();

        OutputSchemas.register(registry, TopicNames.defaults(), 2);

        assertThat(OutputSchemas.subjects(TopicNames.defaults(), 2).keySet()).containsExactly("promptq.results-value",
                "promptq.jobs.dlq-value", "promptq.jobs.idempotency-value", "promptq.jobs.status-value", "promptq.jobs.retry.1-value", "promptq.jobs.retry.2-value",
                "promptq.jobs.workers-value");
        assertThat(registry.idOf("promptq.results-value", JobResult.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.jobs.dlq-value", DeadLetter.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.jobs.idempotency-value", IdempotencyEntry.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.jobs.retry.2-value", RetryJob.getClassSchema())).isPositive();
        assertThat(registry.idOf("promptq.jobs.status-value", JobStateChange.getClassSchema())).isPositive();
    }
}
