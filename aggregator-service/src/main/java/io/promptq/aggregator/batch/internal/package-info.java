/** The batch processor, its stores' encodings, the finalizer and the batch query routes. */
@NullMarked
package io.promptq.aggregator.batch.internal;

import org.jspecify.annotations.NullMarked;
