/**
 * The worker's composition: the {@link io.promptq.worker.kafka.RecordHandler} that decodes a record, runs the
 * {@link io.promptq.worker.processing.JobProcessor} and publishes its outcome (waiting for the broker's
 * acknowledgement), the adapter from the llm module's {@code ResilientLlm} to the worker's
 * {@link io.promptq.worker.processing.LlmCaller} (with provider-only timing), the breaker-driven intake gate and
 * topic provisioning. Not API.
 */
@NullMarked
package io.promptq.worker.internal;

import org.jspecify.annotations.NullMarked;
