/**
 * Typed, validated configuration read from environment variables in one place. Every service builds
 * an immutable config record from a {@link io.promptq.config.ConfigSource}; a bad value fails the
 * start-up with a {@link io.promptq.config.ConfigException} naming the key and the value.
 */
@NullMarked
package io.promptq.config;

import org.jspecify.annotations.NullMarked;
