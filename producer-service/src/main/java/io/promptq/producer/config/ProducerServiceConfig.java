package io.promptq.producer.config;

import io.promptq.client.ClientConfig;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the producer service, read from the environment by {@link #from(ConfigSource)} and checked
 * when built, so a bad value stops the start-up with a {@link ConfigException} naming its key.
 *
 * <p>Besides the keys below, {@link ClientConfig#from(ConfigSource)} reads Kafka ({@code PROMPTQ_KAFKA_*}),
 * the schema registry ({@code PROMPTQ_SCHEMA_REGISTRY_*}), topic names ({@code PROMPTQ_TOPIC_*}), the
 * validation rules ({@code PROMPTQ_PRODUCER_MAX_TOKENS_CAP}, {@code PROMPTQ_PRODUCER_DEFAULT_MAX_TOKENS},
 * {@code PROMPTQ_PRODUCER_MODEL_ALLOWLIST}, {@code PROMPTQ_PRODUCER_MAX_MESSAGES}) and
 * {@code PROMPTQ_PRODUCER_SEND_TIMEOUT} (default 5s).
 *
 * @param httpHost interface the HTTP API binds to ({@value #HTTP_HOST}, default {@value #DEFAULT_HTTP_HOST})
 * @param httpPort its port, 0 for any free one ({@value #HTTP_PORT}, default {@value #DEFAULT_HTTP_PORT})
 * @param maxBodyBytes largest body of {@code POST /v1/jobs} ({@value #MAX_BODY_BYTES}, default 1 MiB)
 * @param maxBatchBodyBytes largest body of {@code POST /v1/jobs/batch} ({@value #MAX_BATCH_BODY_BYTES}, default 16 MiB)
 * @param maxBatch most jobs in one batch request ({@value #MAX_BATCH}, default {@value #DEFAULT_MAX_BATCH})
 * @param authTokens bearer tokens and their tenants; none turns authentication off ({@value #AUTH_TOKENS},
 *     default empty)
 * @param defaultTenant tenant of jobs that name none when authentication is off ({@value #DEFAULT_TENANT_KEY},
 *     default {@value #DEFAULT_TENANT}); with authentication on, the token's tenant is used instead
 * @param createTopics create the jobs topic at start-up if it is missing ({@value #CREATE_TOPICS}, default true)
 * @param topicPartitions partitions of a jobs topic created here ({@value #TOPIC_PARTITIONS}, default
 *     {@value #DEFAULT_TOPIC_PARTITIONS})
 * @param client the Kafka client: brokers, registry, topics, validation rules, send timeout
 */
public record ProducerServiceConfig(
        String httpHost,
        int httpPort,
        int maxBodyBytes,
        int maxBatchBodyBytes,
        int maxBatch,
        AuthTokens authTokens,
        String defaultTenant,
        boolean createTopics,
        int topicPartitions,
        ClientConfig client) {

    /** Env key: interface the HTTP API binds to (docker sets 0.0.0.0). */
    public static final String HTTP_HOST = "PROMPTQ_HTTP_HOST";
    /** Env key: HTTP port; 0 picks a free one. */
    public static final String HTTP_PORT = "PROMPTQ_HTTP_PORT";
    /** Env key: largest accepted body of a single-job request, in bytes; larger ones get 413. */
    public static final String MAX_BODY_BYTES = "PROMPTQ_PRODUCER_MAX_BODY_BYTES";
    /** Env key: largest accepted body of a batch request, in bytes; larger ones get 413. */
    public static final String MAX_BATCH_BODY_BYTES = "PROMPTQ_PRODUCER_MAX_BATCH_BODY_BYTES";
    /** Env key: most jobs in one batch request; more get 413. */
    public static final String MAX_BATCH = "PROMPTQ_PRODUCER_MAX_BATCH";
    /** Env key: {@code token1=tenantA,token2=tenantB}; empty turns authentication off. */
    public static final String AUTH_TOKENS = "PROMPTQ_PRODUCER_AUTH_TOKENS";
    /** Env key: tenant of jobs without one while authentication is off. */
    public static final String DEFAULT_TENANT_KEY = "PROMPTQ_PRODUCER_DEFAULT_TENANT";
    /** Env key: whether to create the jobs topic at start-up when it is missing. */
    public static final String CREATE_TOPICS = "PROMPTQ_PRODUCER_CREATE_TOPICS";
    /** Env key: partitions of the jobs topic when this service creates it. */
    public static final String TOPIC_PARTITIONS = "PROMPTQ_PRODUCER_TOPIC_PARTITIONS";

    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_BODY_BYTES = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH = 1000;
    public static final String DEFAULT_TENANT = "default";
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    /** Kafka client id of the service's producer unless {@code PROMPTQ_CLIENT_ID} is set. */
    public static final String DEFAULT_CLIENT_ID = "promptq-producer";

    private static final int MAX_BODY_LIMIT = 256 * 1024 * 1024;
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    public ProducerServiceConfig {
        if (httpHost == null || httpHost.isBlank()) {
            throw ConfigException.invalid(HTTP_HOST, httpHost, "must not be blank");
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw ConfigException.invalid(HTTP_PORT, httpPort, "must be between 0 and 65535");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > MAX_BODY_LIMIT) {
            throw ConfigException.invalid(MAX_BODY_BYTES, maxBodyBytes, "must be between 1024 and " + MAX_BODY_LIMIT);
        }
        if (maxBatchBodyBytes < 1024 || maxBatchBodyBytes > MAX_BODY_LIMIT) {
            throw ConfigException.invalid(MAX_BATCH_BODY_BYTES, maxBatchBodyBytes,
                    "must be between 1024 and " + MAX_BODY_LIMIT);
        }
        if (maxBatch < 1 || maxBatch > 100_000) {
            throw ConfigException.invalid(MAX_BATCH, maxBatch, "must be between 1 and 100000");
        }
        Objects.requireNonNull(authTokens, "authTokens");
        if (defaultTenant == null || !TENANT.matcher(defaultTenant).matches()) {
            throw ConfigException.invalid(DEFAULT_TENANT_KEY, defaultTenant,
                    "must be 1-128 letters, digits, '.', '_' or '-'");
        }
        if (topicPartitions < 1 || topicPartitions > 10_000) {
            throw ConfigException.invalid(TOPIC_PARTITIONS, topicPartitions, "must be between 1 and 10000");
        }
        Objects.requireNonNull(client, "client");
    }

    /** Reads every key of this service (see the class documentation) from {@code config}. */
    public static ProducerServiceConfig from(ConfigSource config) {
        ClientConfig client = ClientConfig.from(config)
                .withClientId(config.string(ClientConfig.CLIENT_ID, DEFAULT_CLIENT_ID));
        return new ProducerServiceConfig(
                config.string(HTTP_HOST, DEFAULT_HTTP_HOST),
                config.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65_535),
                config.integer(MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES, 1024, MAX_BODY_LIMIT),
                config.integer(MAX_BATCH_BODY_BYTES, DEFAULT_MAX_BATCH_BODY_BYTES, 1024, MAX_BODY_LIMIT),
                config.integer(MAX_BATCH, DEFAULT_MAX_BATCH, 1, 100_000),
                AuthTokens.parse(config.string(AUTH_TOKENS, "")),
                config.string(DEFAULT_TENANT_KEY, DEFAULT_TENANT),
                config.bool(CREATE_TOPICS, DEFAULT_CREATE_TOPICS),
                config.integer(TOPIC_PARTITIONS, DEFAULT_TOPIC_PARTITIONS, 1, 10_000),
                client);
    }

    /** The defaults, with {@code client} for Kafka and the registry. */
    public static ProducerServiceConfig defaults(ClientConfig client) {
        return new ProducerServiceConfig(DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_BATCH_BODY_BYTES, DEFAULT_MAX_BATCH, AuthTokens.none(), DEFAULT_TENANT, DEFAULT_CREATE_TOPICS,
                DEFAULT_TOPIC_PARTITIONS, client);
    }

    public ProducerServiceConfig withHttpPort(int port) {
        return new ProducerServiceConfig(httpHost, port, maxBodyBytes, maxBatchBodyBytes, maxBatch, authTokens,
                defaultTenant, createTopics, topicPartitions, client);
    }

    public ProducerServiceConfig withAuthTokens(AuthTokens tokens) {
        return new ProducerServiceConfig(httpHost, httpPort, maxBodyBytes, maxBatchBodyBytes, maxBatch, tokens,
                defaultTenant, createTopics, topicPartitions, client);
    }

    public ProducerServiceConfig withLimits(int maxBodyBytes, int maxBatchBodyBytes, int maxBatch) {
        return new ProducerServiceConfig(httpHost, httpPort, maxBodyBytes, maxBatchBodyBytes, maxBatch, authTokens,
                defaultTenant, createTopics, topicPartitions, client);
    }

    public ProducerServiceConfig withClient(ClientConfig client) {
        return new ProducerServiceConfig(httpHost, httpPort, maxBodyBytes, maxBatchBodyBytes, maxBatch, authTokens,
                defaultTenant, createTopics, topicPartitions, client);
    }

    public ProducerServiceConfig withTopicCreation(boolean createTopics, int topicPartitions) {
        return new ProducerServiceConfig(httpHost, httpPort, maxBodyBytes, maxBatchBodyBytes, maxBatch, authTokens,
                defaultTenant, createTopics, topicPartitions, client);
    }
}
