/**
 * Typed, validated configuration read from environment variables in one place. Every key is declared once as a
 * {@link io.promptq.config.ConfigKey} constant (name, parser, default, bounds), documented where it is declared;
 * a config record's {@code from(ConfigSource)} reads its keys from a {@link io.promptq.config.ConfigSource} and its
 * constructor checks programmatic values against the same keys, so a bad value fails with the same
 * {@link io.promptq.config.ConfigException} naming the key and the value either way. Durations are written and
 * printed in one syntax, {@link io.promptq.config.Durations}.
 *
 * <p><b>Names.</b>
 * <ul>
 *   <li>{@code *Config} is the validated configuration a service or library component is built from. It declares
 *       its keys ({@code ConfigKey} constants, or a library's own property names such as the Confluent serde keys of
 *       {@code RegistryConfig}), reads them with {@code from(..)}, checks every value in its constructor and is
 *       changed through {@code toBuilder()}: {@code WorkerConfig}, {@code ProducerServiceConfig},
 *       {@code AggregatorConfig}, {@code ClientConfig}, {@code LlmConfig}, {@code ResilienceConfig},
 *       {@code RegistryConfig}.</li>
 *   <li>{@code *Settings} is the part of a configuration that one client consumes and turns into its own set-up:
 *       carried by a {@code *Config} or derived from one ({@code KafkaSettings} for the Kafka clients'
 *       properties, {@code SimulatedSettings} and {@code OpenAiSettings} for one LLM provider, whose keys
 *       {@code LlmConfig} declares, {@code LoopSettings} for the worker's poll loop).</li>
 *   <li>{@code *Keys} only declares keys and reads another module's config from them
 *       ({@code SchemaRegistryKeys} reads a {@code RegistryConfig}, which lives in a module without this package).</li>
 * </ul>
 */
@NullMarked
package io.promptq.config;

import org.jspecify.annotations.NullMarked;
