package io.promptq.producer.config;

import io.promptq.batch.BatchConfig;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.http.HttpLimits;
import io.promptq.http.OpsServer;
import io.promptq.topic.JobLifecycle;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the producer service, read from the environment by {@link #from(ConfigSource)} and checked
 * when built, so a bad value stops the start-up with a {@link ConfigException} naming its key.
 *
 * <p>Besides the keys below, {@link ClientConfig#from(ConfigSource)} reads Kafka ({@code PROMPTQ_KAFKA_*}),
 * the schema registry ({@code PROMPTQ_SCHEMA_REGISTRY_*}), topic names ({@code PROMPTQ_TOPIC_*}), the
 * validation rules ({@code PROMPTQ_PRODUCER_MAX_TOKENS_CAP}, {@code PROMPTQ_PRODUCER_DEFAULT_MAX_TOKENS},
 * {@code PROMPTQ_PRODUCER_MODEL_ALLOWLIST}, {@code PROMPTQ_PRODUCER_MAX_MESSAGES}, the webhook allow-list and tenant
 * callbacks {@code PROMPTQ_WEBHOOK_ALLOWED_URLS}, {@code PROMPTQ_WEBHOOK_TENANT_URLS}) and
 * {@code PROMPTQ_PRODUCER_SEND_TIMEOUT} (default 5s), the idempotency window {@code PROMPTQ_IDEMPOTENCY_WINDOW}
 * (default 24h), {@code PROMPTQ_IDEMPOTENCY_MAX_KEYS} and the job-id secret {@code PROMPTQ_JOB_ID_KEY}, which is
 * required when authentication is on (tokens set).
 *
 * @param httpHost interface the HTTP API binds to ({@link #HTTP_HOST}, default {@value #DEFAULT_HTTP_HOST})
 * @param httpPort its port, 0 for any free one ({@link #HTTP_PORT}, default {@value #DEFAULT_HTTP_PORT})
 * @param managementPort port of {@code /health/*} and {@code /metrics} when apart from the API
 *     ({@link OpsServer#MANAGEMENT_PORT}; null, the default: on the API port)
 * @param maxBodyBytes largest body of {@code POST /v1/jobs} ({@link #MAX_BODY_BYTES}, default 1 MiB)
 * @param maxBatchBodyBytes largest body of {@code POST /v1/jobs/batch} ({@link #MAX_BATCH_BODY_BYTES}, default 16 MiB)
 * @param maxBatch most jobs in one batch request ({@link #MAX_BATCH}, default {@value #DEFAULT_MAX_BATCH})
 * @param authTokens bearer tokens and their tenants; none turns authentication off ({@link #AUTH_TOKENS},
 *     default empty); with tokens, {@code client} must have a {@link JobIdKey}
 * @param defaultTenant tenant of jobs that name none when authentication is off ({@link #DEFAULT_TENANT_KEY},
 *     default {@value #DEFAULT_TENANT}); with authentication on, the token's tenant is used instead
 * @param createTopics create the jobs topic, the idempotency ledger and the lifecycle topics (status,
 *     cancellations) at start-up if they are missing
 *     ({@link #CREATE_TOPICS}, default true)
 * @param topicPartitions partitions of a jobs topic (and idempotency ledger) created here ({@link #TOPIC_PARTITIONS}, default
 *     {@value #DEFAULT_TOPIC_PARTITIONS})
 * @param httpLimits connection limits of the HTTP API against slow or numerous clients: connection cap
 *     ({@link #MAX_CONNECTIONS}), TCP backlog ({@link #ACCEPT_QUEUE_SIZE}), minimum body data rate
 *     ({@link #MIN_REQUEST_DATA_RATE}) and header timeout ({@link #HEADER_TIMEOUT})
 * @param aggregatorUrl the aggregator's query API, asked for job views ({@link #AGGREGATOR_URL})
 * @param maxWait the longest {@code GET /v1/jobs/{id}?wait=} is held ({@link #MAX_WAIT})
 * @param sseHeartbeat how often a job's event stream sends a comment while nothing changes ({@link #SSE_HEARTBEAT})
 * @param aggregatorMaxRequests most requests to the aggregator in flight at once; further ones queue
 *     ({@link #AGGREGATOR_MAX_REQUESTS})
 * @param client the Kafka client: brokers, registry, topics, validation rules, send timeout
 * @param jobStatusRetention retention of the lifecycle topics created here ({@link JobLifecycle#RETENTION})
 * @param batch the Batch API's limits: lines per input file and accepted completion windows
 *     ({@link BatchConfig#MAX_LINES}, {@link BatchConfig#COMPLETION_WINDOWS})
 */
public record ProducerServiceConfig(
        String httpHost,
        int httpPort,
        @Nullable Integer managementPort,
        int maxBodyBytes,
        int maxBatchBodyBytes,
        int maxBatch,
        AuthTokens authTokens,
        String defaultTenant,
        boolean createTopics,
        int topicPartitions,
        HttpLimits httpLimits,
        URI aggregatorUrl,
        Duration maxWait,
        Duration sseHeartbeat,
        int aggregatorMaxRequests,
        ClientConfig client,
        Duration jobStatusRetention,
        BatchConfig batch) {

    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH_BODY_BYTES = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_BATCH = 1000;
    public static final String DEFAULT_TENANT = "default";
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_ACCEPT_QUEUE_SIZE = 1024;
    public static final int DEFAULT_MIN_REQUEST_DATA_RATE = 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final URI DEFAULT_AGGREGATOR_URL = URI.create("http://127.0.0.1:8083");
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SSE_HEARTBEAT = Duration.ofSeconds(15);
    public static final int DEFAULT_AGGREGATOR_MAX_REQUESTS = 1024;
    /** Kafka client id of the service's producer unless {@code PROMPTQ_CLIENT_ID} is set. */
    public static final String DEFAULT_CLIENT_ID = "promptq-producer";

    private static final int MAX_BODY_LIMIT = 256 * 1024 * 1024;
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Env key: interface the HTTP API binds to (docker sets 0.0.0.0). */
    public static final ConfigKey<String> HTTP_HOST = ConfigKey.text("PROMPTQ_HTTP_HOST", DEFAULT_HTTP_HOST);
    /** Env key: HTTP port; 0 picks a free one. */
    public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("PROMPTQ_HTTP_PORT", DEFAULT_HTTP_PORT, 0, 65_535);
    /** Env key: largest accepted body of a single-job request, in bytes; larger ones get 413. */
    public static final ConfigKey<Integer> MAX_BODY_BYTES =
            ConfigKey.integer("PROMPTQ_PRODUCER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1024, MAX_BODY_LIMIT);
    /** Env key: largest accepted body of a batch request, in bytes; larger ones get 413. */
    public static final ConfigKey<Integer> MAX_BATCH_BODY_BYTES =
            ConfigKey.integer("PROMPTQ_PRODUCER_MAX_BATCH_BODY_BYTES", DEFAULT_MAX_BATCH_BODY_BYTES, 1024, MAX_BODY_LIMIT);
    /** Env key: most jobs in one batch request; more get 413. */
    public static final ConfigKey<Integer> MAX_BATCH = ConfigKey.integer("PROMPTQ_PRODUCER_MAX_BATCH", DEFAULT_MAX_BATCH, 1, 100_000);
    /** Env key: {@code token1=tenantA,token2=tenantB}; empty turns authentication off. Never shown in messages. */
    public static final ConfigKey<AuthTokens> AUTH_TOKENS = ConfigKey.of("PROMPTQ_PRODUCER_AUTH_TOKENS", AuthTokens::parse,
                    (AuthTokens tokens) -> tokens.enabled() ? "[hidden]" : "")
            .withDefault(AuthTokens.none())
            .secret();
    /** Env key: tenant of jobs without one while authentication is off. */
    public static final ConfigKey<String> DEFAULT_TENANT_KEY = ConfigKey.text("PROMPTQ_PRODUCER_DEFAULT_TENANT", DEFAULT_TENANT)
            .and(tenant -> TENANT.matcher(tenant).matches(), "must be 1-128 letters, digits, '.', '_' or '-'");
    /** Env key: whether to create the jobs topic and the idempotency ledger at start-up when they are missing. */
    public static final ConfigKey<Boolean> CREATE_TOPICS = ConfigKey.bool("PROMPTQ_PRODUCER_CREATE_TOPICS", DEFAULT_CREATE_TOPICS);
    /** Env key: partitions of the jobs topic when this service creates it. */
    public static final ConfigKey<Integer> TOPIC_PARTITIONS =
            ConfigKey.integer("PROMPTQ_PRODUCER_TOPIC_PARTITIONS", DEFAULT_TOPIC_PARTITIONS, 1, 10_000);
    /** Env key: most open HTTP connections; further clients wait in the TCP backlog until one closes. */
    public static final ConfigKey<Integer> MAX_CONNECTIONS =
            ConfigKey.integer("PROMPTQ_PRODUCER_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 1, 1_000_000);
    /** Env key: TCP listen backlog of the HTTP port, sized for bursts of new connections. */
    public static final ConfigKey<Integer> ACCEPT_QUEUE_SIZE =
            ConfigKey.integer("PROMPTQ_PRODUCER_ACCEPT_QUEUE_SIZE", DEFAULT_ACCEPT_QUEUE_SIZE, 1, 65_535);
    /** Env key: least bytes per second a request body must arrive at; a slower upload is cut off with 408 (0: off). */
    public static final ConfigKey<Integer> MIN_REQUEST_DATA_RATE =
            ConfigKey.integer("PROMPTQ_PRODUCER_MIN_REQUEST_DATA_RATE", DEFAULT_MIN_REQUEST_DATA_RATE, 0, 1_000_000_000);
    /** Env key: longest a request's line and headers may take to arrive before the connection is closed. */
    public static final ConfigKey<Duration> HEADER_TIMEOUT = ConfigKey.duration("PROMPTQ_PRODUCER_HEADER_TIMEOUT",
            DEFAULT_HEADER_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5));
    /** Env key: the Kafka {@code client.id} of the service's producer ({@link ClientConfig#CLIENT_ID} with another default). */
    public static final ConfigKey<String> CLIENT_ID = ClientConfig.CLIENT_ID.withDefault(DEFAULT_CLIENT_ID);

    /**
     * Env key: base URL of the aggregator's query API, which materializes the job views behind
     * {@code GET /v1/jobs/{id}} and its event stream; any instance answers (it forwards to the owner).
     */
    public static final ConfigKey<URI> AGGREGATOR_URL = ConfigKey.of("PROMPTQ_PRODUCER_AGGREGATOR_URL",
            ProducerServiceConfig::httpUrl, URI::toString).withDefault(DEFAULT_AGGREGATOR_URL);
    /** Env key: the longest a job query's {@code ?wait=} holds the request; longer waits are cut to it. */
    public static final ConfigKey<Duration> MAX_WAIT = ConfigKey.duration("PROMPTQ_PRODUCER_MAX_WAIT",
            DEFAULT_MAX_WAIT, Duration.ZERO, Duration.ofMinutes(10));
    /**
     * Env key: how often {@code GET /v1/jobs/{id}/events} writes a comment line while the job does not change, so
     * that proxies and the server's idle timeout (30 s) keep the stream open; also each long poll's length.
     */
    public static final ConfigKey<Duration> SSE_HEARTBEAT = ConfigKey.duration("PROMPTQ_PRODUCER_SSE_HEARTBEAT",
            DEFAULT_SSE_HEARTBEAT, Duration.ofMillis(100), Duration.ofMinutes(1));
    /**
     * Env key: most requests this producer has in flight to the aggregator at once (job views and the one long poll
     * per followed job that all of its event streams share); further requests queue for a free slot, and only one
     * that waits longer than its own deadline is answered 503 with {@code Retry-After}. Keep the sum over all
     * producers at or below the aggregator's {@code PROMPTQ_AGGREGATOR_MAX_WAITERS}.
     */
    public static final ConfigKey<Integer> AGGREGATOR_MAX_REQUESTS = ConfigKey.integer(
            "PROMPTQ_PRODUCER_AGGREGATOR_MAX_REQUESTS", DEFAULT_AGGREGATOR_MAX_REQUESTS, 1, 100_000);

    public ProducerServiceConfig {
        HTTP_HOST.check(httpHost);
        HTTP_PORT.check(httpPort);
        if (managementPort != null) {
            OpsServer.MANAGEMENT_PORT.check(managementPort);
        }
        MAX_BODY_BYTES.check(maxBodyBytes);
        MAX_BATCH_BODY_BYTES.check(maxBatchBodyBytes);
        MAX_BATCH.check(maxBatch);
        AUTH_TOKENS.check(authTokens);
        DEFAULT_TENANT_KEY.check(defaultTenant);
        TOPIC_PARTITIONS.check(topicPartitions);
        Objects.requireNonNull(httpLimits, "httpLimits");
        MAX_CONNECTIONS.check(httpLimits.maxConnections());
        ACCEPT_QUEUE_SIZE.check(httpLimits.acceptQueueSize());
        MIN_REQUEST_DATA_RATE.check((int) Math.min(Integer.MAX_VALUE, httpLimits.minRequestDataRate()));
        HEADER_TIMEOUT.check(httpLimits.headerTimeout());
        AGGREGATOR_URL.check(aggregatorUrl);
        MAX_WAIT.check(maxWait);
        SSE_HEARTBEAT.check(sseHeartbeat);
        AGGREGATOR_MAX_REQUESTS.check(aggregatorMaxRequests);
        Objects.requireNonNull(client, "client");
        JobLifecycle.RETENTION.check(jobStatusRetention);
        Objects.requireNonNull(batch, "batch");
        if (authTokens.enabled() && !client.jobIdKey().present()) {
            throw new ConfigException(JobIdKey.KEY.name(), "is required when " + AUTH_TOKENS.name() + " is set: without"
                    + " it keyed job ids are derived from public information and any tenant could name another's jobs");
        }
    }

    private static URI httpUrl(String text) {
        URI uri = URI.create(text.trim());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an http(s) URL such as http://aggregator:8083");
        }
        return uri;
    }

    /** Reads every key of this service (see the class documentation) from {@code config}. */
    public static ProducerServiceConfig from(ConfigSource config) {
        ClientConfig client = ClientConfig.from(config).toBuilder().clientId(CLIENT_ID.read(config)).build();
        return new ProducerServiceConfig(
                HTTP_HOST.read(config),
                HTTP_PORT.read(config),
                OpsServer.MANAGEMENT_PORT.readOptional(config).orElse(null),
                MAX_BODY_BYTES.read(config),
                MAX_BATCH_BODY_BYTES.read(config),
                MAX_BATCH.read(config),
                AUTH_TOKENS.read(config),
                DEFAULT_TENANT_KEY.read(config),
                CREATE_TOPICS.read(config),
                TOPIC_PARTITIONS.read(config),
                new HttpLimits(MAX_CONNECTIONS.read(config), ACCEPT_QUEUE_SIZE.read(config),
                        MIN_REQUEST_DATA_RATE.read(config), HEADER_TIMEOUT.read(config)),
                AGGREGATOR_URL.read(config),
                MAX_WAIT.read(config),
                SSE_HEARTBEAT.read(config),
                AGGREGATOR_MAX_REQUESTS.read(config),
                client,
                JobLifecycle.RETENTION.read(config),
                BatchConfig.from(config));
    }

    /** The defaults, with {@code client} for Kafka and the registry. */
    public static ProducerServiceConfig defaults(ClientConfig client) {
        return new ProducerServiceConfig(DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT, null, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_BATCH_BODY_BYTES, DEFAULT_MAX_BATCH, AuthTokens.none(), DEFAULT_TENANT, DEFAULT_CREATE_TOPICS,
                DEFAULT_TOPIC_PARTITIONS, defaultHttpLimits(), DEFAULT_AGGREGATOR_URL, DEFAULT_MAX_WAIT,
                DEFAULT_SSE_HEARTBEAT, DEFAULT_AGGREGATOR_MAX_REQUESTS, client, JobLifecycle.DEFAULT_RETENTION,
                BatchConfig.defaults());
    }

    /** The default connection limits of the HTTP API. */
    public static HttpLimits defaultHttpLimits() {
        return new HttpLimits(DEFAULT_MAX_CONNECTIONS, DEFAULT_ACCEPT_QUEUE_SIZE, DEFAULT_MIN_REQUEST_DATA_RATE,
                DEFAULT_HEADER_TIMEOUT);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link ProducerServiceConfig}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private String httpHost;
        private int httpPort;
        private @Nullable Integer managementPort;
        private int maxBodyBytes;
        private int maxBatchBodyBytes;
        private int maxBatch;
        private AuthTokens authTokens;
        private String defaultTenant;
        private boolean createTopics;
        private int topicPartitions;
        private HttpLimits httpLimits;
        private URI aggregatorUrl;
        private Duration maxWait;
        private Duration sseHeartbeat;
        private int aggregatorMaxRequests;
        private ClientConfig client;
        private Duration jobStatusRetention;
        private BatchConfig batch;

        private Builder(ProducerServiceConfig from) {
            httpHost = from.httpHost;
            httpPort = from.httpPort;
            managementPort = from.managementPort;
            maxBodyBytes = from.maxBodyBytes;
            maxBatchBodyBytes = from.maxBatchBodyBytes;
            maxBatch = from.maxBatch;
            authTokens = from.authTokens;
            defaultTenant = from.defaultTenant;
            createTopics = from.createTopics;
            topicPartitions = from.topicPartitions;
            httpLimits = from.httpLimits;
            aggregatorUrl = from.aggregatorUrl;
            maxWait = from.maxWait;
            sseHeartbeat = from.sseHeartbeat;
            aggregatorMaxRequests = from.aggregatorMaxRequests;
            client = from.client;
            jobStatusRetention = from.jobStatusRetention;
            batch = from.batch;
        }

        public Builder httpHost(String value) {
            httpHost = value;
            return this;
        }

        public Builder httpPort(int value) {
            httpPort = value;
            return this;
        }

        public Builder managementPort(@Nullable Integer value) {
            managementPort = value;
            return this;
        }

        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder maxBatchBodyBytes(int value) {
            maxBatchBodyBytes = value;
            return this;
        }

        public Builder maxBatch(int value) {
            maxBatch = value;
            return this;
        }

        public Builder authTokens(AuthTokens value) {
            authTokens = value;
            return this;
        }

        public Builder defaultTenant(String value) {
            defaultTenant = value;
            return this;
        }

        public Builder createTopics(boolean value) {
            createTopics = value;
            return this;
        }

        public Builder topicPartitions(int value) {
            topicPartitions = value;
            return this;
        }

        public Builder httpLimits(HttpLimits value) {
            httpLimits = value;
            return this;
        }

        public Builder batch(BatchConfig value) {
            batch = value;
            return this;
        }

        public Builder jobStatusRetention(Duration value) {
            jobStatusRetention = value;
            return this;
        }

        public Builder aggregatorUrl(URI value) {
            aggregatorUrl = value;
            return this;
        }

        public Builder maxWait(Duration value) {
            maxWait = value;
            return this;
        }

        public Builder sseHeartbeat(Duration value) {
            sseHeartbeat = value;
            return this;
        }

        public Builder aggregatorMaxRequests(int value) {
            aggregatorMaxRequests = value;
            return this;
        }

        public Builder client(ClientConfig value) {
            client = value;
            return this;
        }

        public ProducerServiceConfig build() {
            return new ProducerServiceConfig(httpHost, httpPort, managementPort, maxBodyBytes, maxBatchBodyBytes, maxBatch, authTokens,
                    defaultTenant, createTopics, topicPartitions, httpLimits, aggregatorUrl, maxWait, sseHeartbeat,
                    aggregatorMaxRequests, client, jobStatusRetention, batch);
        }
    }
}
