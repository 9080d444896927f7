package io.promptq.client;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.Idempotency;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link PromptqClient} needs: where Kafka and the schema registry are, the topic names,
 * the validation rules, how long a submission may take, how keyed jobs are named and deduplicated. Immutable; checked on construction against the
 * declared keys. Change a copy with {@link #toBuilder()}.
 *
 * @param kafka brokers and client overrides ({@code PROMPTQ_KAFKA_*}, see {@link KafkaSettings})
 * @param registry the schema registry ({@code PROMPTQ_SCHEMA_REGISTRY_*}, see {@link SchemaRegistryKeys})
 * @param topics topic names ({@code PROMPTQ_TOPIC_*}, see {@link TopicNames})
 * @param rules validation limits ({@code PROMPTQ_PRODUCER_MAX_TOKENS_CAP} etc., see {@link ValidationRules})
 * @param sendTimeout the longest a submission may take, from {@code submit} to the broker's acknowledgement or
 *     a failure; it also bounds how long {@code submit} blocks while metadata is fetched or the producer's
 *     buffer is full ({@link #SEND_TIMEOUT}, default 5s, between 500ms and 5m)
 * @param clientId the Kafka {@code client.id} of the producer ({@link #CLIENT_ID}, default {@value #DEFAULT_CLIENT_ID})
 * @param idempotencyWindow how long after its first submission a keyed job answers resubmissions of its key
 *     ({@link Idempotency#WINDOW}, default 24h, between 1m and 30d; the workers must use the same value)
 * @param idempotencyMaxKeys the most keyed jobs the client remembers (its own and those read from the idempotency
 *     ledger), the oldest forgotten first ({@link #IDEMPOTENCY_MAX_KEYS}, default {@value #DEFAULT_IDEMPOTENCY_MAX_KEYS});
 *     a resubmission of a forgotten key is written again and dropped by the workers
 * @param outcomeUnknownRetries how often a submission whose outcome is unknown ({@code OUTCOME_UNKNOWN}: the record
 *     may have been written) is sent again, each time with the same job id and idempotency key - generated when the
 *     caller gave none - so a retry never makes a second job ({@link #OUTCOME_UNKNOWN_RETRIES}, default
 *     {@value #DEFAULT_OUTCOME_UNKNOWN_RETRIES}, between 0 and 10; 0 sends unkeyed jobs unkeyed and never retries)
 * @param jobIdKey the secret keyed job ids are derived with ({@link JobIdKey#KEY}, default none: guessable ids, for
 *     local use only); every submitter of a deployment must use the same one
 * @param statusApi the producer API asked by {@link PromptqClient#status} and {@link PromptqClient#await} ({@link StatusApiConfig})
 * @param publishStates write a QUEUED state change to the status topic for every newly accepted job
 *     ({@link #PUBLISH_STATES}, default true)
 */
public record ClientConfig(KafkaSettings kafka, RegistryConfig registry, TopicNames topics, ValidationRules rules,
        Duration sendTimeout, String clientId, Duration idempotencyWindow, int idempotencyMaxKeys,
        int outcomeUnknownRetries, JobIdKey jobIdKey, StatusApiConfig statusApi, boolean publishStates) {

    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MIN_SEND_TIMEOUT = Duration.ofMillis(500);
    public static final Duration MAX_SEND_TIMEOUT = Duration.ofMinutes(5);
    public static final String DEFAULT_CLIENT_ID = "promptq-client";
    public static final int DEFAULT_IDEMPOTENCY_MAX_KEYS = 1_000_000;
    public static final int DEFAULT_OUTCOME_UNKNOWN_RETRIES = 2;
    public static final boolean DEFAULT_PUBLISH_STATES = true;

    /** Env key: the longest a submission may take before it fails as {@code UNAVAILABLE}. */
    public static final ConfigKey<Duration> SEND_TIMEOUT = ConfigKey.duration("PROMPTQ_PRODUCER_SEND_TIMEOUT",
            DEFAULT_SEND_TIMEOUT, MIN_SEND_TIMEOUT, MAX_SEND_TIMEOUT);
    /** Env key: the producer's {@code client.id}. */
    public static final ConfigKey<String> CLIENT_ID = ConfigKey.text("PROMPTQ_CLIENT_ID", DEFAULT_CLIENT_ID);
    /** Env key: the most keyed jobs the client's idempotency index holds (about 200 bytes of heap each). */
    public static final ConfigKey<Integer> IDEMPOTENCY_MAX_KEYS =
            ConfigKey.integer("PROMPTQ_IDEMPOTENCY_MAX_KEYS", DEFAULT_IDEMPOTENCY_MAX_KEYS, 1_000, 100_000_000);
    /**
     * Env key: how often the client library sends a submission again whose outcome is unknown, with the same job id
     * and idempotency key (one is generated for jobs submitted without). The producer service never retries: it
     * answers 504 {@code outcome-unknown} and leaves the retry to its caller.
     */
    public static final ConfigKey<Integer> OUTCOME_UNKNOWN_RETRIES =
            ConfigKey.integer("PROMPTQ_CLIENT_OUTCOME_UNKNOWN_RETRIES", DEFAULT_OUTCOME_UNKNOWN_RETRIES, 0, 10);

    /**
     * Env key: whether the client writes a QUEUED state change for every newly accepted job (the job status API
     * shows a job from its acceptance on); false leaves jobs unseen there until a worker starts them. For A/B
     * measurements of the status overhead ({@code ./promptq bench --scenario noop,noop-no-states}).
     */
    public static final ConfigKey<Boolean> PUBLISH_STATES = ConfigKey.bool("PROMPTQ_CLIENT_PUBLISH_STATES",
            DEFAULT_PUBLISH_STATES);

    public ClientConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(rules, "rules");
        SEND_TIMEOUT.check(sendTimeout);
        CLIENT_ID.check(clientId);
        Idempotency.WINDOW.check(idempotencyWindow);
        IDEMPOTENCY_MAX_KEYS.check(idempotencyMaxKeys);
        OUTCOME_UNKNOWN_RETRIES.check(outcomeUnknownRetries);
        JobIdKey.KEY.check(jobIdKey);
        Objects.requireNonNull(statusApi, "statusApi");
    }

    /** A configuration with the default topic names, rules, send timeout, client id and idempotency settings. */
    public static ClientConfig of(KafkaSettings kafka, RegistryConfig registry) {
        return new ClientConfig(kafka, registry, TopicNames.defaults(), ValidationRules.defaults(),
                DEFAULT_SEND_TIMEOUT, DEFAULT_CLIENT_ID, Idempotency.DEFAULT_WINDOW, DEFAULT_IDEMPOTENCY_MAX_KEYS,
                DEFAULT_OUTCOME_UNKNOWN_RETRIES, JobIdKey.none(), StatusApiConfig.none(), DEFAULT_PUBLISH_STATES);
    }

    /** Reads every key listed on the components from {@code config}. */
    public static ClientConfig from(ConfigSource config) {
        return new ClientConfig(
                KafkaSettings.from(config),
                SchemaRegistryKeys.from(config),
                TopicNames.from(config),
                ValidationRules.from(config),
                SEND_TIMEOUT.read(config),
                CLIENT_ID.read(config),
                Idempotency.WINDOW.read(config),
                IDEMPOTENCY_MAX_KEYS.read(config),
                OUTCOME_UNKNOWN_RETRIES.read(config),
                JobIdKey.KEY.read(config),
                StatusApiConfig.from(config),
                PUBLISH_STATES.read(config));
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link ClientConfig}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private KafkaSettings kafka;
        private RegistryConfig registry;
        private TopicNames topics;
        private ValidationRules rules;
        private Duration sendTimeout;
        private String clientId;
        private Duration idempotencyWindow;
        private int idempotencyMaxKeys;
        private int outcomeUnknownRetries;
        private JobIdKey jobIdKey;
        private StatusApiConfig statusApi;
        private boolean publishStates;

        private Builder(ClientConfig from) {
            kafka = from.kafka;
            registry = from.registry;
            topics = from.topics;
            rules = from.rules;
            sendTimeout = from.sendTimeout;
            clientId = from.clientId;
            idempotencyWindow = from.idempotencyWindow;
            idempotencyMaxKeys = from.idempotencyMaxKeys;
            outcomeUnknownRetries = from.outcomeUnknownRetries;
            jobIdKey = from.jobIdKey;
            statusApi = from.statusApi;
            publishStates = from.publishStates;
        }

        public Builder kafka(KafkaSettings value) {
            kafka = value;
            return this;
        }

        public Builder registry(RegistryConfig value) {
            registry = value;
            return this;
        }

        public Builder topics(TopicNames value) {
            topics = value;
            return this;
        }

        public Builder rules(ValidationRules value) {
            rules = value;
            return this;
        }

        public Builder sendTimeout(Duration value) {
            sendTimeout = value;
            return this;
        }

        public Builder clientId(String value) {
            clientId = value;
            return this;
        }

        public Builder idempotencyWindow(Duration value) {
            idempotencyWindow = value;
            return this;
        }

        public Builder idempotencyMaxKeys(int value) {
            idempotencyMaxKeys = value;
            return this;
        }

        public Builder outcomeUnknownRetries(int value) {
            outcomeUnknownRetries = value;
            return this;
        }

        public Builder jobIdKey(JobIdKey value) {
            jobIdKey = value;
            return this;
        }

        public Builder statusApi(StatusApiConfig value) {
            statusApi = value;
            return this;
        }

        public Builder publishStates(boolean value) {
            publishStates = value;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(kafka, registry, topics, rules, sendTimeout, clientId, idempotencyWindow,
                    idempotencyMaxKeys, outcomeUnknownRetries, jobIdKey, statusApi, publishStates);
        }
    }
}
