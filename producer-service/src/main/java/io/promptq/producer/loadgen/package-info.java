/**
 * A reusable load generator for promptq: publishes N jobs at a target rate or as fast as possible, to a
 * producer service over HTTP or straight to Kafka, and reports progress and a summary. CLI-free: the
 * {@code promptq submit} command wraps it.
 */
@NullMarked
package io.promptq.producer.loadgen;

import org.jspecify.annotations.NullMarked;
