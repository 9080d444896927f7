/**
 * The {@code promptq} command line: {@code demo} (the whole system on an embedded real Kafka and
 * schema registry), {@code up} (the same stack left running), {@code submit} (the load generator),
 * {@code stats} (aggregates from an aggregator) and {@code bench} (side-by-side benchmarks).
 */
@NullMarked
package io.promptq.cli;

import org.jspecify.annotations.NullMarked;
