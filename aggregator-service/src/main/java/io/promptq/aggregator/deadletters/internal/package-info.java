/**
 * Implementation of the dead-letter index: the store key and value codecs, the processor that fills the stores,
 * the paging query merged over partitions and instances, the Kafka reader of one dead letter, and the HTTP routes.
 */
@NullMarked
package io.promptq.aggregator.deadletters.internal;

import org.jspecify.annotations.NullMarked;
