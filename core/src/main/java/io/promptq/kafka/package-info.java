/**
 * Kafka client settings built in one place: safe defaults for producers, consumers, admin clients and
 * Kafka Streams, plus a documented pass-through so TLS, SASL or any other client property reaches the
 * clients without code changes; and the one {@link io.promptq.kafka.TopicProvisioner} every service uses to
 * create its topics from {@link io.promptq.kafka.TopicSpec}s.
 */
@NullMarked
package io.promptq.kafka;

import org.jspecify.annotations.NullMarked;
