/**
 * Implementation of the aggregator's topology: de-duplication by job id with a time-bounded store, the
 * event-time extractor, topic creation, serde adapters and meters.
 */
package io.promptq.aggregator.internal;
