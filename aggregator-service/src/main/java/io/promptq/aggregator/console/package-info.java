/**
 * The operator console: static pages (HTML, vanilla JavaScript, CSS; no build chain, nothing from a CDN) served by
 * the aggregator at {@code /console/}. The pages read the aggregator's JSON API with the token the operator types,
 * so they hold no data and no secret of their own.
 */
@NullMarked
package io.promptq.aggregator.console;

import org.jspecify.annotations.NullMarked;
