/**
 * The worker's Micrometer meters: names and tags in {@link io.promptq.worker.metrics.WorkerMetricNames}, one
 * binder per concern - {@link io.promptq.worker.metrics.FlowMetrics} (in flight, permits, buffers, pauses and
 * why, per partition and in total) and {@link io.promptq.worker.metrics.OutcomeMetrics} (outcomes, retries by
 * tier, dead letters by reason, retry lateness). Provider latency and breaker state come from the llm module's
 * meters, consumer lag from Kafka's client metrics. Instrumentation never breaks processing.
 */
@NullMarked
package io.promptq.worker.metrics;

import org.jspecify.annotations.NullMarked;
