/**
 * The job view: a job's current state, history and outcome, materialized per job id from the status topic and
 * the results topic (ranked so that late and repeated changes are dropped), stored compactly, expired after the
 * lifecycle retention, and watched by long-polling readers that the updating processor wakes.
 */
@NullMarked
package io.promptq.aggregator.internal.view;

import org.jspecify.annotations.NullMarked;
