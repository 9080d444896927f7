/**
 * Implementation of the load generator: where prompts come from and the HTTP and Kafka sinks jobs are sent to.
 */
@NullMarked
package io.promptq.producer.loadgen.internal;

import org.jspecify.annotations.NullMarked;
