/**
 * The aggregate the aggregator keeps per scope and window: outcome counts, retries, tokens and mergeable
 * latency distributions (exact count/sum/min/max plus a DDSketch for percentiles), with the compact binary
 * serdes used by the state stores and the repartition topic.
 */
@NullMarked
package io.promptq.aggregator.stats;

import org.jspecify.annotations.NullMarked;
