/**
 * Implementation of the aggregator's topology: de-duplication by job id with a time-bounded store, the
 * event-time extractor, topic creation, serde adapters and meters.
 */
@NullMarked
package io.promptq.aggregator.internal;

import org.jspecify.annotations.NullMarked;
