/**
 * Browsing the jobs' dead letters in the operator console: a compact, newest-first index of every dead letter
 * (summaries and counts per reason, model and tenant, kept by the aggregator's topology), pages of it read with a
 * bounded scan from a cursor, and the full record read back from Kafka by partition and offset.
 */
@NullMarked
package io.promptq.aggregator.deadletters;

import org.jspecify.annotations.NullMarked;
