package io.promptq.aggregator;

import io.promptq.aggregator.webhook.WebhookConfig;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.config.Durations;
import io.promptq.http.BearerTokens;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import io.promptq.batch.BatchConfig;
import io.promptq.files.FilesConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything the aggregator needs, immutable and validated on construction: a bad value fails the
 * start-up with a {@link ConfigException} naming its environment key. Build it with
 * {@link #from(ConfigSource)}.
 *
 * @param applicationId Kafka Streams application id ({@link #APPLICATION_ID}); instances sharing it share the work
 * @param window size of the tumbling windows ({@link #WINDOW})
 * @param grace how long after a window's end late results are still counted in it ({@link #GRACE})
 * @param windowRetention how long windows stay queryable ({@link #WINDOW_RETENTION}); at least window + grace
 * @param dedupRetention how long a job id is remembered for de-duplication and result queries
 *     ({@link #DEDUP_RETENTION})
 * @param maxClockSkew how far a result's {@code completedAt} may be from its append time before the append time is
 *     used as its event time ({@link #MAX_CLOCK_SKEW})
 * @param stateDir Kafka Streams state directory ({@link #STATE_DIR})
 * @param advertisedHost host other instances use to forward queries here ({@link #ADVERTISED_HOST})
 * @param commitInterval Kafka Streams commit interval, i.e. how soon results become visible
 *     ({@link #COMMIT_INTERVAL})
 * @param streamThreads Kafka Streams threads ({@link #STREAM_THREADS})
 * @param createTopics create the results, totals and windows topics if missing ({@link #CREATE_TOPICS})
 * @param topicPartitions partitions of topics this service creates ({@link #TOPIC_PARTITIONS})
 * @param queryTimeout timeout of a query forwarded to another instance ({@link #QUERY_TIMEOUT})
 * @param deadLetterTopic where results that cannot be decoded are written as they are ({@link #DEAD_LETTER_TOPIC})
 * @param httpHost interface of the query API ({@link #HTTP_HOST})
 * @param httpPort port of the query API, 0 for any free port ({@link #HTTP_PORT})
 * @param managementPort port of {@code /health/*} and {@code /metrics} when apart from the query API
 *     ({@link OpsServer#MANAGEMENT_PORT}; null: on the API port)
 * @param jobViewRetention how long job views are kept after a job is first seen ({@link JobLifecycle#RETENTION})
 * @param maxWait the longest a job query waits for a change ({@link #MAX_WAIT}); longer {@code ?wait=} are capped
 * @param maxWaiters the most job queries waiting at once on this instance ({@link #MAX_WAITERS}); 503 beyond
 * @param kafka broker connection and client overrides ({@code PROMPTQ_KAFKA_*})
 * @param registry schema registry connection ({@code PROMPTQ_SCHEMA_REGISTRY_*})
 * @param topics topic names ({@code PROMPTQ_TOPIC_*})
 * @param webhooks the webhook dispatcher ({@code PROMPTQ_WEBHOOK_*}, see {@link WebhookConfig}; off unless
 *     {@code PROMPTQ_WEBHOOK_ALLOWED_URLS} is set)
 * @param authTokens the submission tokens ({@code token=tenant}) that may read their tenant's jobs
 *     ({@link #AUTH_TOKENS}; none: job endpoints open)
 * @param readTokens the analysts' tokens that may read aggregate statistics ({@link #READ_TOKENS}; none: open)
 * @param workerGroup the workers' consumer group, whose lag the console shows ({@link #WORKER_GROUP})
 * @param operatorTokens the operators' tokens that may redrive and purge dead letters ({@link #OPERATOR_TOKENS})
 * @param redriveRate the most dead letters a console redrive republishes per second ({@link #CONSOLE_REDRIVE_RATE})
 * @param consoleScanLimit the most dead-letter summaries one console page request examines ({@link #CONSOLE_SCAN_LIMIT})
 * @param consoleIndexRetention how long the console keeps a dead letter's summary ({@link #CONSOLE_INDEX_RETENTION});
 *     zero keeps them all
 * @param files the file store's limits, for the batches' output files (the producer's keys, {@link FilesConfig})
 * @param batch the Batch API's limits: how long a batch is kept ({@link BatchConfig#RETENTION})
 */
public record AggregatorConfig(
        String applicationId,
        Duration window,
        Duration grace,
        Duration windowRetention,
        Duration dedupRetention,
        Duration maxClockSkew,
        Path stateDir,
        String advertisedHost,
        Duration commitInterval,
        int streamThreads,
        boolean createTopics,
        int topicPartitions,
        Duration queryTimeout,
        String deadLetterTopic,
        String httpHost,
        int httpPort,
        @Nullable Integer managementPort,
        Duration jobViewRetention,
        Duration maxWait,
        int maxWaiters,
        KafkaSettings kafka,
        RegistryConfig registry,
        TopicNames topics,
        WebhookConfig webhooks,
        BearerTokens authTokens,
        BearerTokens readTokens,
        String workerGroup,
        BearerTokens operatorTokens,
        int redriveRate,

        int consoleScanLimit,
        Duration consoleIndexRetention,
        FilesConfig files,
        BatchConfig batch) {

    public static final String DEFAULT_APPLICATION_ID = "promptq-aggregator";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_WINDOW_RETENTION = Duration.ofDays(1);
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(7);
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final Path DEFAULT_STATE_DIR = Path.of(System.getProperty("java.io.tmpdir"), "promptq-aggregator");
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_STREAM_THREADS = 1;
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    /** Appended to the results topic's name to name the aggregator's dead-letter topic by default. */
    public static final String DEFAULT_DEAD_LETTER_SUFFIX = ".aggregator-dlq";
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8083;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_WAITERS = 10_000;
    public static final int DEFAULT_CONSOLE_REDRIVE_RATE = 20;
    public static final int DEFAULT_CONSOLE_SCAN_LIMIT = 100_000;
    /** Kafka's default topic retention (7 days), which the dead-letter topic gets unless its operator sets another. */
    public static final Duration DEFAULT_CONSOLE_INDEX_RETENTION = Duration.ofDays(7);

    /** Kafka Streams application id; also the consumer group and the prefix of internal topics. */
    public static final ConfigKey<String> APPLICATION_ID = ConfigKey.text("PROMPTQ_AGGREGATOR_APPLICATION_ID", DEFAULT_APPLICATION_ID);
    /** Size of the tumbling windows, e.g. {@code 1m}. */
    public static final ConfigKey<Duration> WINDOW =
            ConfigKey.duration("PROMPTQ_AGGREGATOR_WINDOW", DEFAULT_WINDOW, Duration.ofSeconds(1), Duration.ofDays(1));
    /** Grace period: a result up to this late (by completion time) still counts in its window; later ones only in the totals. */
    public static final ConfigKey<Duration> GRACE =
            ConfigKey.duration("PROMPTQ_AGGREGATOR_GRACE", DEFAULT_GRACE, Duration.ZERO, Duration.ofDays(1));
    /** How long windowed aggregates stay queryable through the API (at least window + grace). */
    public static final ConfigKey<Duration> WINDOW_RETENTION = ConfigKey.duration("PROMPTQ_AGGREGATOR_WINDOW_RETENTION",
            DEFAULT_WINDOW_RETENTION, Duration.ofSeconds(1), Duration.ofDays(365));
    /**
     * How long (in completion time) a job id is remembered: a duplicate result arriving within it is ignored,
     * and {@code GET /v1/jobs/{id}/result} answers within it. A duplicate arriving later would count again.
     */
    public static final ConfigKey<Duration> DEDUP_RETENTION = ConfigKey.duration("PROMPTQ_AGGREGATOR_DEDUP_RETENTION",
            DEFAULT_DEDUP_RETENTION, Duration.ofSeconds(1), Duration.ofDays(365));
    /**
     * How far a result's {@code completedAt} may be from the record's timestamp (its append time), either way; a result
     * beyond it is windowed at its append time instead, and counted in {@code promptq.aggregator.results.clamped}.
     * Keeps one result from a skewed clock or foreign writer from moving stream time, which would close windows to
     * every later result and make the dedup purge forget every job.
     */
    public static final ConfigKey<Duration> MAX_CLOCK_SKEW = ConfigKey.duration("PROMPTQ_AGGREGATOR_MAX_CLOCK_SKEW",
            DEFAULT_MAX_CLOCK_SKEW, Duration.ZERO, Duration.ofDays(1));
    /** Kafka Streams state directory (RocksDB stores); must not be shared by two running instances. */
    public static final ConfigKey<Path> STATE_DIR =
            ConfigKey.of("PROMPTQ_AGGREGATOR_STATE_DIR", Path::of, Path::toString).withDefault(DEFAULT_STATE_DIR);
    /** Host name other instances use to reach this one's HTTP API ({@code application.server}). */
    public static final ConfigKey<String> ADVERTISED_HOST = ConfigKey.text("PROMPTQ_AGGREGATOR_ADVERTISED_HOST");
    /** Kafka Streams commit interval; with exactly-once, outputs become visible at each commit. */
    public static final ConfigKey<Duration> COMMIT_INTERVAL = ConfigKey.duration("PROMPTQ_AGGREGATOR_COMMIT_INTERVAL",
            DEFAULT_COMMIT_INTERVAL, Duration.ofMillis(10), Duration.ofMinutes(10));
    /** Number of Kafka Streams processing threads. */
    public static final ConfigKey<Integer> STREAM_THREADS =
            ConfigKey.integer("PROMPTQ_AGGREGATOR_STREAM_THREADS", DEFAULT_STREAM_THREADS, 1, 64);
    /** Create the results, totals (compacted), windows and lifecycle (status, cancellations) topics if they are missing. */
    public static final ConfigKey<Boolean> CREATE_TOPICS = ConfigKey.bool("PROMPTQ_AGGREGATOR_CREATE_TOPICS", DEFAULT_CREATE_TOPICS);
    /** Partition count of the topics created by {@link #CREATE_TOPICS}. */
    public static final ConfigKey<Integer> TOPIC_PARTITIONS =
            ConfigKey.integer("PROMPTQ_AGGREGATOR_TOPIC_PARTITIONS", DEFAULT_TOPIC_PARTITIONS, 1, 10_000);
    /** Timeout of a query forwarded to the instance owning the key. */
    public static final ConfigKey<Duration> QUERY_TIMEOUT = ConfigKey.duration("PROMPTQ_AGGREGATOR_QUERY_TIMEOUT",
            DEFAULT_QUERY_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5));
    /**
     * Topic receiving results that cannot be decoded (unknown schema id, wrong magic byte, garbage) as they are, raw
     * key and value with the reason in headers; default {@code <results topic>.aggregator-dlq}. Kept apart from the
     * jobs' dead-letter topic because these are not jobs and must never be redriven as jobs. A registry that is
     * unavailable is waited for instead.
     */
    public static final ConfigKey<String> DEAD_LETTER_TOPIC = ConfigKey.text("PROMPTQ_AGGREGATOR_DEAD_LETTER_TOPIC");
    /** Interface the query API binds to. */
    public static final ConfigKey<String> HTTP_HOST = ConfigKey.text("PROMPTQ_HTTP_HOST", DEFAULT_HTTP_HOST);
    /** Port of the query API; 0 picks a free port. */
    public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("PROMPTQ_HTTP_PORT", DEFAULT_HTTP_PORT, 0, 65_535);

    /**
     * Env key: {@code token1=tenantA,token2=tenantB}, the producer's submission tokens ({@code
     * PROMPTQ_PRODUCER_AUTH_TOKENS}, same value): each may read only its tenant's jobs ({@code /v1/jobs/...}; another
     * tenant's job answers 404); empty leaves the job endpoints open. Never shown in messages.
     */
    public static final ConfigKey<BearerTokens> AUTH_TOKENS = ConfigKey.of("PROMPTQ_AGGREGATOR_AUTH_TOKENS",
                    (String spec) -> BearerTokens.parseTenants("PROMPTQ_AGGREGATOR_AUTH_TOKENS", spec),
                    (BearerTokens tokens) -> tokens.enabled() ? "[hidden]" : "")
            .withDefault(BearerTokens.none())
            .secret();
    /**
     * Env key: {@code token1,token2}, the analysts' tokens that may read aggregate statistics ({@code /v1/stats/...});
     * empty leaves them open. They read no jobs. Never shown in messages.
     */
    public static final ConfigKey<BearerTokens> READ_TOKENS = ConfigKey.of("PROMPTQ_AGGREGATOR_READ_TOKENS",
                    (String spec) -> BearerTokens.parseList("PROMPTQ_AGGREGATOR_READ_TOKENS", spec),
                    (BearerTokens tokens) -> tokens.enabled() ? "[hidden]" : "")
            .withDefault(BearerTokens.none())
            .secret();
    /** Default of {@link #WORKER_GROUP}: the workers' default group. */
    public static final String DEFAULT_WORKER_GROUP = "promptq-workers";
    /**
     * Env key: the workers' consumer group ({@code PROMPTQ_WORKER_GROUP_ID} of the workers), whose lag on the jobs topic
     * and the retry tiers the console's overview shows.
     */
    public static final ConfigKey<String> WORKER_GROUP =
            ConfigKey.text("PROMPTQ_AGGREGATOR_WORKER_GROUP", DEFAULT_WORKER_GROUP);
    /**
     * Env key: {@code token1,token2} (or {@code token=name,...}, the name recorded as the actor of the audit), the
     * operators' tokens that may redrive and purge dead letters through the console ({@code POST
     * /v1/console/dead-letters/...}); an operator token also reads. Empty: actions are open only while no auth or
     * read tokens are set either; otherwise they need an operator token (401 without a known token, 403 for a
     * read-only one). Never shown in messages.
     */
    public static final ConfigKey<BearerTokens> OPERATOR_TOKENS = ConfigKey.of("PROMPTQ_AGGREGATOR_OPERATOR_TOKENS",
                    AggregatorConfig::parseOperatorTokens,
                    (BearerTokens tokens) -> tokens.enabled() ? "[hidden]" : "")
            .withDefault(BearerTokens.none())
            .secret();
    /**
     * The most dead letters a console redrive republishes per second; a request's {@code rate} may only lower it.
     * Keeps a "redrive all" from flooding the workers and the provider.
     */
    public static final ConfigKey<Integer> CONSOLE_REDRIVE_RATE =
            ConfigKey.integer("PROMPTQ_CONSOLE_REDRIVE_RATE", DEFAULT_CONSOLE_REDRIVE_RATE, 1, 100_000);
    /**
     * The longest {@code GET /v1/jobs/{id}?wait=} holds a request open waiting for the job to change; a longer wait
     * is cut to it. Keep it below the timeouts of proxies in front of the service.
     */
    public static final ConfigKey<Duration> MAX_WAIT = ConfigKey.duration("PROMPTQ_AGGREGATOR_MAX_WAIT",
            DEFAULT_MAX_WAIT, Duration.ZERO, Duration.ofMinutes(10));
    /** The most job queries that may wait at once on one instance; more are answered 503 with {@code Retry-After}. */
    public static final ConfigKey<Integer> MAX_WAITERS =
            ConfigKey.integer("PROMPTQ_AGGREGATOR_MAX_WAITERS", DEFAULT_MAX_WAITERS, 1, 1_000_000);

    /**
     * The most dead-letter summaries one {@code GET /v1/console/dead-letters} request examines (over all instances):
     * a filtered page stops there and answers how many it scanned and a cursor to continue, so a rare filter over a
     * million dead letters costs a bounded time per request.
     */
    public static final ConfigKey<Integer> CONSOLE_SCAN_LIMIT =
            ConfigKey.integer("PROMPTQ_CONSOLE_SCAN_LIMIT", DEFAULT_CONSOLE_SCAN_LIMIT, 100, 10_000_000);
    /**
     * How long the console's dead-letter index keeps a summary after the dead letter's last failure: the dead-letter
     * topic's {@code retention.ms} (after it, Kafka has removed the record and inspect could not read it); 0 = forever.
     */
    public static final ConfigKey<Duration> CONSOLE_INDEX_RETENTION = ConfigKey.duration(
            "PROMPTQ_CONSOLE_INDEX_RETENTION", DEFAULT_CONSOLE_INDEX_RETENTION, Duration.ZERO, Duration.ofDays(3650));

    public AggregatorConfig {
        APPLICATION_ID.check(applicationId);
        WINDOW.check(window);
        GRACE.check(grace);
        WINDOW_RETENTION.check(windowRetention);
        DEDUP_RETENTION.check(dedupRetention);
        MAX_CLOCK_SKEW.check(maxClockSkew);
        STATE_DIR.check(stateDir);
        ADVERTISED_HOST.check(advertisedHost);
        COMMIT_INTERVAL.check(commitInterval);
        STREAM_THREADS.check(streamThreads);
        TOPIC_PARTITIONS.check(topicPartitions);
        QUERY_TIMEOUT.check(queryTimeout);
        DEAD_LETTER_TOPIC.check(deadLetterTopic);
        HTTP_HOST.check(httpHost);
        HTTP_PORT.check(httpPort);
        if (managementPort != null) {
            OpsServer.MANAGEMENT_PORT.check(managementPort);
        }
        JobLifecycle.RETENTION.check(jobViewRetention);
        MAX_WAIT.check(maxWait);
        MAX_WAITERS.check(maxWaiters);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(webhooks, "webhooks");
        AUTH_TOKENS.check(authTokens);
        READ_TOKENS.check(readTokens);
        WORKER_GROUP.check(workerGroup);
        OPERATOR_TOKENS.check(operatorTokens);
        CONSOLE_REDRIVE_RATE.check(redriveRate);
        CONSOLE_SCAN_LIMIT.check(consoleScanLimit);
        CONSOLE_INDEX_RETENTION.check(consoleIndexRetention);
        Objects.requireNonNull(files, "files");
        Objects.requireNonNull(batch, "batch");
        if (windowRetention.compareTo(window.plus(grace)) < 0) {
            throw ConfigException.invalid(WINDOW_RETENTION.name(), Durations.format(windowRetention),
                    "must be at least " + WINDOW + " + " + GRACE + " (" + Durations.format(window.plus(grace)) + ")");
        }
    }

    /** A configuration with webhooks off. */
    public AggregatorConfig(String applicationId, Duration window, Duration grace, Duration windowRetention,
            Duration dedupRetention, Duration maxClockSkew, Path stateDir, String advertisedHost,
            Duration commitInterval, int streamThreads, boolean createTopics, int topicPartitions,
            Duration queryTimeout, String deadLetterTopic, String httpHost, int httpPort, KafkaSettings kafka,
            RegistryConfig registry, TopicNames topics) {
        this(applicationId, window, grace, windowRetention, dedupRetention, maxClockSkew, stateDir, advertisedHost,
                commitInterval, streamThreads, createTopics, topicPartitions, queryTimeout, deadLetterTopic, httpHost,
                httpPort, null, JobLifecycle.DEFAULT_RETENTION, DEFAULT_MAX_WAIT, DEFAULT_MAX_WAITERS, kafka, registry,
                topics, WebhookConfig.disabled(), BearerTokens.none(), BearerTokens.none(), DEFAULT_WORKER_GROUP,
                BearerTokens.none(), DEFAULT_CONSOLE_REDRIVE_RATE, DEFAULT_CONSOLE_SCAN_LIMIT,
                DEFAULT_CONSOLE_INDEX_RETENTION, FilesConfig.defaults(), BatchConfig.defaults());
    }

    /** A copy with other webhook settings. */
    public AggregatorConfig withWebhooks(WebhookConfig value) {
        return new AggregatorConfig(applicationId, window, grace, windowRetention, dedupRetention, maxClockSkew,
                stateDir, advertisedHost, commitInterval, streamThreads, createTopics, topicPartitions, queryTimeout,
                deadLetterTopic, httpHost, httpPort, managementPort, jobViewRetention, maxWait, maxWaiters, kafka, registry,
                topics, value, authTokens, readTokens, workerGroup, operatorTokens, redriveRate, consoleScanLimit,
                consoleIndexRetention, files, batch);
    }

    /** Reads every setting from {@code config}, with the defaults above. */
    public static AggregatorConfig from(ConfigSource config) {
        String httpHost = HTTP_HOST.read(config);
        TopicNames topics = TopicNames.from(config);
        return new AggregatorConfig(
                APPLICATION_ID.read(config),
                WINDOW.read(config),
                GRACE.read(config),
                WINDOW_RETENTION.read(config),
                DEDUP_RETENTION.read(config),
                MAX_CLOCK_SKEW.read(config),
                STATE_DIR.read(config),
                ADVERTISED_HOST.readOptional(config).orElseGet(() -> defaultAdvertisedHost(httpHost)),
                COMMIT_INTERVAL.read(config),
                STREAM_THREADS.read(config),
                CREATE_TOPICS.read(config),
                TOPIC_PARTITIONS.read(config),
                QUERY_TIMEOUT.read(config),
                DEAD_LETTER_TOPIC.readOptional(config).orElse(topics.results() + DEFAULT_DEAD_LETTER_SUFFIX),
                httpHost,
                HTTP_PORT.read(config),
                OpsServer.MANAGEMENT_PORT.readOptional(config).orElse(null),
                JobLifecycle.RETENTION.read(config),
                MAX_WAIT.read(config),
                MAX_WAITERS.read(config),
                KafkaSettings.from(config),
                SchemaRegistryKeys.from(config),
                topics,
                WebhookConfig.from(config),
                AUTH_TOKENS.read(config),
                READ_TOKENS.read(config),
                WORKER_GROUP.read(config),
                OPERATOR_TOKENS.read(config),
                CONSOLE_REDRIVE_RATE.read(config),

                CONSOLE_SCAN_LIMIT.read(config),
                CONSOLE_INDEX_RETENTION.read(config),
                FilesConfig.from(config),
                BatchConfig.from(config));
    }

    /**
     * Parses {@link #OPERATOR_TOKENS}: {@code token} or {@code token=name} entries; a token without a name is named
     * {@code operator-<n>} by its position.
     */
    static BearerTokens parseOperatorTokens(String spec) {
        Map<String, String> names = new LinkedHashMap<>();
        int n = 0;
        for (String entry : spec.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            n++;
            int eq = trimmed.indexOf('=');
            String token = eq < 0 ? trimmed : trimmed.substring(0, eq).trim();
            String name = eq < 0 ? "operator-" + n : trimmed.substring(eq + 1).trim();
            if (token.isEmpty() || name.isEmpty()) {
                throw ConfigException.invalid(OPERATOR_TOKENS_NAME, "[hidden]",
                        "entry " + n + " must be token or token=name");
            }
            names.put(token, name);
        }
        return names.isEmpty() ? BearerTokens.none() : BearerTokens.ofTenants(OPERATOR_TOKENS_NAME, names);
    }

    private static final String OPERATOR_TOKENS_NAME = "PROMPTQ_AGGREGATOR_OPERATOR_TOKENS";

    /** The HTTP host itself, unless it is a wildcard address; then this machine's host name. */
    static String defaultAdvertisedHost(String httpHost) {
        if (!httpHost.equals("0.0.0.0") && !httpHost.equals("::") && !httpHost.equals("[::]")) {
            return httpHost;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Who may read statistics and the console's views: open when no read tokens are set; otherwise the analysts'
     * read tokens and the operators' tokens (an operator also reads).
     */
    public BearerTokens readers() {
        return readTokens.enabled() ? readTokens.and(operatorTokens) : readTokens;
    }
}
