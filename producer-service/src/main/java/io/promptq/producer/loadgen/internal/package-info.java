/**
 * Implementation of the load generator: where prompts come from and the HTTP and Kafka sinks jobs are sent to.
 */
package io.promptq.producer.loadgen.internal;
