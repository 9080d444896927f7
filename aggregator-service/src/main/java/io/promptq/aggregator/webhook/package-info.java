/**
 * Webhooks: the dispatcher that POSTs each terminal result with a callback URL to that URL, signed like Standard
 * Webhooks, retried with backoff, and moved to the callback dead-letter topic after the last attempt. It runs on
 * its own consumer group and threads beside the aggregator's Kafka Streams app, so a slow receiver never delays job
 * processing or the statistics. Public API here; the consumer loop, offset tracking and HTTP attempts in
 * {@code internal}.
 */
@NullMarked
package io.promptq.aggregator.webhook;

import org.jspecify.annotations.NullMarked;
