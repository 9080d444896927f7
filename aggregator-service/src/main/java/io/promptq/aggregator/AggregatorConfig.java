package io.promptq.aggregator;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.RegistrySettings;
import io.promptq.topic.TopicNames;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything the aggregator needs, immutable and validated on construction: a bad value fails the
 * start-up with a {@link ConfigException} naming its environment key. Build it with
 * {@link #from(ConfigSource)}.
 *
 * @param applicationId Kafka Streams application id ({@value #APPLICATION_ID}); instances sharing it share the work
 * @param window size of the tumbling windows ({@value #WINDOW})
 * @param grace how long after a window's end late results are still counted in it ({@value #GRACE})
 * @param windowRetention how long windows stay queryable ({@value #WINDOW_RETENTION}); at least window + grace
 * @param dedupRetention how long a job id is remembered for de-duplication and result queries
 *     ({@value #DEDUP_RETENTION})
 * @param stateDir Kafka Streams state directory ({@value #STATE_DIR})
 * @param advertisedHost host other instances use to forward queries here ({@value #ADVERTISED_HOST})
 * @param commitInterval Kafka Streams commit interval, i.e. how soon results become visible
 *     ({@value #COMMIT_INTERVAL})
 * @param streamThreads Kafka Streams threads ({@value #STREAM_THREADS})
 * @param createTopics create the results, totals and windows topics if missing ({@value #CREATE_TOPICS})
 * @param topicPartitions partitions of topics this service creates ({@value #TOPIC_PARTITIONS})
 * @param queryTimeout timeout of a query forwarded to another instance ({@value #QUERY_TIMEOUT})
 * @param httpHost interface of the query API ({@value #HTTP_HOST})
 * @param httpPort port of the query API, 0 for any free port ({@value #HTTP_PORT})
 * @param kafka broker connection and client overrides ({@code PROMPTQ_KAFKA_*})
 * @param registry schema registry connection ({@code PROMPTQ_SCHEMA_REGISTRY_*})
 * @param topics topic names ({@code PROMPTQ_TOPIC_*})
 */
public record AggregatorConfig(
        String applicationId,
        Duration window,
        Duration grace,
        Duration windowRetention,
        Duration dedupRetention,
        Path stateDir,
        String advertisedHost,
        Duration commitInterval,
        int streamThreads,
        boolean createTopics,
        int topicPartitions,
        Duration queryTimeout,
        String httpHost,
        int httpPort,
        KafkaSettings kafka,
        RegistryConfig registry,
        TopicNames topics) {

    /** Kafka Streams application id; also the consumer group and the prefix of internal topics. */
    public static final String APPLICATION_ID = "PROMPTQ_AGGREGATOR_APPLICATION_ID";
    /** Size of the tumbling windows, e.g. {@code 1m}. */
    public static final String WINDOW = "PROMPTQ_AGGREGATOR_WINDOW";
    /** Grace period: a result up to this late (by completion time) still counts in its window; later ones only in the totals. */
    public static final String GRACE = "PROMPTQ_AGGREGATOR_GRACE";
    /** How long windowed aggregates stay queryable through the API (at least window + grace). */
    public static final String WINDOW_RETENTION = "PROMPTQ_AGGREGATOR_WINDOW_RETENTION";
    /**
     * How long (in completion time) a job id is remembered: a duplicate result arriving within it is ignored,
     * and {@code GET /v1/jobs/{id}/result} answers within it. A duplicate arriving later would count again.
     */
    public static final String DEDUP_RETENTION = "PROMPTQ_AGGREGATOR_DEDUP_RETENTION";
    /** Kafka Streams state directory (RocksDB stores); must not be shared by two running instances. */
    public static final String STATE_DIR = "PROMPTQ_AGGREGATOR_STATE_DIR";
    /** Host name other instances use to reach this one's HTTP API ({@code application.server}). */
    public static final String ADVERTISED_HOST = "PROMPTQ_AGGREGATOR_ADVERTISED_HOST";
    /** Kafka Streams commit interval; with exactly-once, outputs become visible at each commit. */
    public static final String COMMIT_INTERVAL = "PROMPTQ_AGGREGATOR_COMMIT_INTERVAL";
    /** Number of Kafka Streams processing threads. */
    public static final String STREAM_THREADS = "PROMPTQ_AGGREGATOR_STREAM_THREADS";
    /** Create the results, totals (compacted) and windows topics if they are missing. */
    public static final String CREATE_TOPICS = "PROMPTQ_AGGREGATOR_CREATE_TOPICS";
    /** Partition count of the topics created by {@value #CREATE_TOPICS}. */
    public static final String TOPIC_PARTITIONS = "PROMPTQ_AGGREGATOR_TOPIC_PARTITIONS";
    /** Timeout of a query forwarded to the instance owning the key. */
    public static final String QUERY_TIMEOUT = "PROMPTQ_AGGREGATOR_QUERY_TIMEOUT";
    /** Interface the query API binds to. */
    public static final String HTTP_HOST = "PROMPTQ_HTTP_HOST";
    /** Port of the query API; 0 picks a free port. */
    public static final String HTTP_PORT = "PROMPTQ_HTTP_PORT";

    public static final String DEFAULT_APPLICATION_ID = "promptq-aggregator";
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_WINDOW_RETENTION = Duration.ofDays(1);
    public static final Duration DEFAULT_DEDUP_RETENTION = Duration.ofDays(7);
    public static final Path DEFAULT_STATE_DIR = Path.of(System.getProperty("java.io.tmpdir"), "promptq-aggregator");
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_STREAM_THREADS = 1;
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8083;

    public AggregatorConfig {
        requireText(APPLICATION_ID, applicationId);
        requireBetween(WINDOW, window, Duration.ofSeconds(1), Duration.ofDays(1));
        requireBetween(GRACE, grace, Duration.ZERO, Duration.ofDays(1));
        requireBetween(WINDOW_RETENTION, windowRetention, Duration.ofSeconds(1), Duration.ofDays(365));
        requireBetween(DEDUP_RETENTION, dedupRetention, Duration.ofSeconds(1), Duration.ofDays(365));
        if (stateDir == null) {
            throw new ConfigException(STATE_DIR, "is required but not set");
        }
        requireText(ADVERTISED_HOST, advertisedHost);
        requireBetween(COMMIT_INTERVAL, commitInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
        requireRange(STREAM_THREADS, streamThreads, 1, 64);
        requireRange(TOPIC_PARTITIONS, topicPartitions, 1, 10_000);
        requireBetween(QUERY_TIMEOUT, queryTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
        requireText(HTTP_HOST, httpHost);
        requireRange(HTTP_PORT, httpPort, 0, 65_535);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        if (windowRetention.compareTo(window.plus(grace)) < 0) {
            throw ConfigException.invalid(WINDOW_RETENTION, windowRetention,
                    "must be at least " + WINDOW + " + " + GRACE + " (" + window.plus(grace) + ")");
        }
    }

    /** Reads every setting from {@code config}, with the defaults above. */
    public static AggregatorConfig from(ConfigSource config) {
        String httpHost = config.string(HTTP_HOST, DEFAULT_HTTP_HOST);
        return new AggregatorConfig(
                config.string(APPLICATION_ID, DEFAULT_APPLICATION_ID),
                config.duration(WINDOW, DEFAULT_WINDOW, Duration.ofSeconds(1), Duration.ofDays(1)),
                config.duration(GRACE, DEFAULT_GRACE, Duration.ZERO, Duration.ofDays(1)),
                config.duration(WINDOW_RETENTION, DEFAULT_WINDOW_RETENTION, Duration.ofSeconds(1), Duration.ofDays(365)),
                config.duration(DEDUP_RETENTION, DEFAULT_DEDUP_RETENTION, Duration.ofSeconds(1), Duration.ofDays(365)),
                config.optional(STATE_DIR).map(Path::of).orElse(DEFAULT_STATE_DIR),
                config.optional(ADVERTISED_HOST).orElseGet(() -> defaultAdvertisedHost(httpHost)),
                config.duration(COMMIT_INTERVAL, DEFAULT_COMMIT_INTERVAL, Duration.ofMillis(10), Duration.ofMinutes(10)),
                config.integer(STREAM_THREADS, DEFAULT_STREAM_THREADS, 1, 64),
                config.bool(CREATE_TOPICS, DEFAULT_CREATE_TOPICS),
                config.integer(TOPIC_PARTITIONS, DEFAULT_TOPIC_PARTITIONS, 1, 10_000),
                config.duration(QUERY_TIMEOUT, DEFAULT_QUERY_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5)),
                httpHost,
                config.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65_535),
                KafkaSettings.from(config),
                RegistrySettings.from(config),
                TopicNames.from(config));
    }

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

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "is required but not set");
        }
    }

    private static void requireRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw ConfigException.invalid(key, value, "must be between " + min + " and " + max);
        }
    }

    private static void requireBetween(String key, Duration value, Duration min, Duration max) {
        if (value == null) {
            throw new ConfigException(key, "is required but not set");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw ConfigException.invalid(key, value, "must be between " + min + " and " + max);
        }
    }
}
