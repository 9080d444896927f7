/**
 * Configuration of the producer service: {@link io.promptq.producer.config.ProducerServiceConfig}, read from
 * environment variables with documented defaults and validated at start-up, and the bearer tokens of
 * {@link io.promptq.producer.config.AuthTokens}.
 */
@NullMarked
package io.promptq.producer.config;

import org.jspecify.annotations.NullMarked;
