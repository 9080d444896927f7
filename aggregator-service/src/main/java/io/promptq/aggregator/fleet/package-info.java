/**
 * The data behind the operator console's Overview and Workers views: every worker replica's latest status (read from
 * the workers topic), the workers' consumer lag per partition of the jobs topic and the retry tiers, and the last
 * 15 minutes of the windowed aggregates, as the JSON bodies of {@code GET /v1/console/workers} and
 * {@code GET /v1/console/overview}. The reader, the lag probe and the routes are in {@code internal}.
 */
@NullMarked
package io.promptq.aggregator.fleet;

import org.jspecify.annotations.NullMarked;
