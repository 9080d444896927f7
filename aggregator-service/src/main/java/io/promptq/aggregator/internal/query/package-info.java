/**
 * The query API: HTTP routes over Kafka Streams interactive queries, with forwarding to the instance that
 * owns a key, so that any aggregator instance answers any query.
 */
@NullMarked
package io.promptq.aggregator.internal.query;

import org.jspecify.annotations.NullMarked;
