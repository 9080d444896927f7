/** The workers-topic reader, the consumer-lag probe and the console routes of the fleet views. */
@NullMarked
package io.promptq.aggregator.fleet.internal;

import org.jspecify.annotations.NullMarked;
