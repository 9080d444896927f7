/**
 * What happens to one job: {@link io.promptq.worker.processing.JobProcessor} turns a delivery of a
 * {@code PromptJob} (fresh from the jobs topic or back from a retry tier) into exactly one
 * {@link io.promptq.worker.processing.Outcome} - succeeded, retry scheduled, dead-lettered or expired - and
 * {@link io.promptq.worker.processing.OutcomeRecords} maps outcomes to the Avro records the worker publishes.
 * Pure logic: no Kafka here, a {@link java.time.Clock} and an {@link io.promptq.worker.processing.LlmCaller}
 * are injected, so it is unit-tested with a fake clock and a fake provider.
 */
@NullMarked
package io.promptq.worker.processing;

import org.jspecify.annotations.NullMarked;
