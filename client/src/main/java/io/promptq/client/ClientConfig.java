package io.promptq.client;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.RegistrySettings;
import io.promptq.topic.TopicNames;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link PromptqClient} needs: where Kafka and the schema registry are, the topic names,
 * the validation rules and how long a submission may take. Immutable; checked on construction.
 *
 * @param kafka brokers and client overrides ({@code PROMPTQ_KAFKA_*}, see {@link KafkaSettings})
 * @param registry the schema registry ({@code PROMPTQ_SCHEMA_REGISTRY_*}, see {@link RegistrySettings})
 * @param topics topic names ({@code PROMPTQ_TOPIC_*}, see {@link TopicNames})
 * @param rules validation limits ({@code PROMPTQ_PRODUCER_MAX_TOKENS_CAP} etc., see {@link ValidationRules})
 * @param sendTimeout the longest a submission may take, from {@code submit} to the broker's acknowledgement or
 *     a failure; it also bounds how long {@code submit} blocks while metadata is fetched or the producer's
 *     buffer is full ({@value #SEND_TIMEOUT}, default 5s, between 500ms and 5m)
 * @param clientId the Kafka {@code client.id} of the producer ({@value #CLIENT_ID}, default {@value #DEFAULT_CLIENT_ID})
 */
public record ClientConfig(KafkaSettings kafka, RegistryConfig registry, TopicNames topics, ValidationRules rules,
        Duration sendTimeout, String clientId) {

    /** Env key: the longest a submission may take before it fails as {@code UNAVAILABLE}. */
    public static final String SEND_TIMEOUT = "PROMPTQ_PRODUCER_SEND_TIMEOUT";
    /** Env key: the producer's {@code client.id}. */
    public static final String CLIENT_ID = "PROMPTQ_CLIENT_ID";

    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_SEND_TIMEOUT = Duration.ofMillis(500);
    public static final Duration MAX_SEND_TIMEOUT = Duration.ofMinutes(5);
    public static final String DEFAULT_CLIENT_ID = "promptq-client";

    public ClientConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
        if (sendTimeout.compareTo(MIN_SEND_TIMEOUT) < 0 || sendTimeout.compareTo(MAX_SEND_TIMEOUT) > 0) {
            throw ConfigException.invalid(SEND_TIMEOUT, sendTimeout, "must be between 500ms and 5m");
        }
        if (clientId == null || clientId.isBlank()) {
            throw ConfigException.invalid(CLIENT_ID, clientId, "must not be blank");
        }
    }

    /** A configuration with the default topic names, rules, send timeout and client id. */
    public static ClientConfig of(KafkaSettings kafka, RegistryConfig registry) {
        return new ClientConfig(kafka, registry, TopicNames.defaults(), ValidationRules.defaults(),
                DEFAULT_SEND_TIMEOUT, DEFAULT_CLIENT_ID);
    }

    /** Reads every key listed on the components from {@code config}. */
    public static ClientConfig from(ConfigSource config) {
        return new ClientConfig(
                KafkaSettings.from(config),
                RegistrySettings.from(config),
                TopicNames.from(config),
                ValidationRules.from(config),
                config.duration(SEND_TIMEOUT, DEFAULT_SEND_TIMEOUT, MIN_SEND_TIMEOUT, MAX_SEND_TIMEOUT),
                config.string(CLIENT_ID, DEFAULT_CLIENT_ID));
    }

    public ClientConfig withTopics(TopicNames topics) {
        return new ClientConfig(kafka, registry, topics, rules, sendTimeout, clientId);
    }

    public ClientConfig withRules(ValidationRules rules) {
        return new ClientConfig(kafka, registry, topics, rules, sendTimeout, clientId);
    }

    public ClientConfig withSendTimeout(Duration sendTimeout) {
        return new ClientConfig(kafka, registry, topics, rules, sendTimeout, clientId);
    }

    public ClientConfig withClientId(String clientId) {
        return new ClientConfig(kafka, registry, topics, rules, sendTimeout, clientId);
    }
}
