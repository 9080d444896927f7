/**
 * Kafka client settings built in one place: safe defaults for producers, consumers, admin clients and
 * Kafka Streams, plus a documented pass-through so TLS, SASL or any other client property reaches the
 * clients without code changes.
 */
@NullMarked
package io.promptq.kafka;

import org.jspecify.annotations.NullMarked;
