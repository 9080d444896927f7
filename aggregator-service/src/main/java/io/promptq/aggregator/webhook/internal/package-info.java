/** How the webhook dispatcher works: the poll loop, per-partition offset tracking and the delivery of one result. */
@NullMarked
package io.promptq.aggregator.webhook.internal;

import org.jspecify.annotations.NullMarked;
