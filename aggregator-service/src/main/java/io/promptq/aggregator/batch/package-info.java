/**
 * The OpenAI-compatible batches' state in the aggregator: {@link io.promptq.aggregator.batch.BatchAggregation} adds
 * to the topology one processor that folds a batch's events and its jobs' results (re-keyed by batch id) into the
 * batch's state, its per-line output and error lines and a per-tenant index; a finalizer thread writes the output
 * and error files once every line is terminal; the query routes serve {@code GET /v1/batches}.
 */
@NullMarked
package io.promptq.aggregator.batch;

import org.jspecify.annotations.NullMarked;
