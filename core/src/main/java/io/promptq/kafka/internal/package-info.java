/**
 * Implementation of {@link io.promptq.kafka.TopicProvisioner} over Kafka's {@code Admin} client; not API.
 */
package io.promptq.kafka.internal;
