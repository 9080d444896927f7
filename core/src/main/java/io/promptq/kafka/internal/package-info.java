/**
 * Implementation of {@link io.promptq.kafka.TopicProvisioner} over Kafka's {@code Admin} client; not API.
 */
@NullMarked
package io.promptq.kafka.internal;

import org.jspecify.annotations.NullMarked;
