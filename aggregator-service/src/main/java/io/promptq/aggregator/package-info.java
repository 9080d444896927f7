/**
 * The aggregator service: a Kafka Streams application that turns the job results published by the workers
 * into exact, de-duplicated statistics (totals per model, tenant and overall, and tumbling windows) on the
 * totals and windows topics, and serves them to analysts over HTTP. Public API: {@link
 * io.promptq.aggregator.AggregatorService} (embeddable), {@link io.promptq.aggregator.AggregatorConfig},
 * {@link io.promptq.aggregator.AggregatorTopology} (the pure topology), {@link
 * io.promptq.aggregator.AggregatorClient} and the JSON views.
 */
@NullMarked
package io.promptq.aggregator;

import org.jspecify.annotations.NullMarked;
