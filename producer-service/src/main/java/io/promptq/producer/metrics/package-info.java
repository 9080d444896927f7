/**
 * Meters of the producer service: jobs accepted, jobs rejected by reason and publish latency, with their
 * names defined once in {@link io.promptq.producer.metrics.ProducerMetrics}.
 */
@NullMarked
package io.promptq.producer.metrics;

import org.jspecify.annotations.NullMarked;
