package io.promptq.worker;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.RegistrySettings;
import io.promptq.topic.TopicNames;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything a worker needs, validated when built: a bad value fails the start-up with a
 * {@link ConfigException} naming the environment key and the value. Built from the environment with
 * {@link #from(ConfigSource)}; the Kafka, registry, topic, LLM and resilience parts are read by their own
 * modules' {@code from} methods ({@code PROMPTQ_KAFKA_*}, {@code PROMPTQ_SCHEMA_REGISTRY_*},
 * {@code PROMPTQ_TOPIC_*}, {@code PROMPTQ_LLM_*}).
 *
 * @param groupId consumer group of all worker replicas ({@link #GROUP_ID})
 * @param workerId this replica's id, in results, client ids and metrics ({@link #WORKER_ID})
 * @param partitionConcurrency K, jobs of one partition in flight at most ({@link #PARTITION_CONCURRENCY})
 * @param maxInFlight jobs of this worker in flight at most ({@link #MAX_IN_FLIGHT})
 * @param bufferPerPartition fetched records held per partition at most ({@link #BUFFER_PER_PARTITION})
 * @param maxUncommitted records per partition fetched but not yet committable at most ({@link #MAX_UNCOMMITTED})
 * @param maxAttempts provider attempts per job before it is dead-lettered ({@link #MAX_ATTEMPTS})
 * @param retryDelays delay of each retry tier, non-decreasing ({@link #RETRY_DELAYS})
 * @param localRetries quick in-process retries before a job goes to a retry topic ({@link #LOCAL_RETRIES})
 * @param localRetryDelay longest wait before an in-process retry ({@link #LOCAL_RETRY_DELAY})
 * @param revokeTimeout how long a revoked partition waits for its running jobs ({@link #REVOKE_TIMEOUT})
 * @param shutdownGrace how long a stop waits for running jobs ({@link #SHUTDOWN_GRACE})
 * @param commitInterval how often finished offsets are committed ({@link #COMMIT_INTERVAL})
 * @param pollTimeout longest single poll ({@link #POLL_TIMEOUT})
 * @param groupProtocol consumer group protocol ({@link #GROUP_PROTOCOL})
 * @param groupAssignor server-side assignor with the KIP-848 protocol ({@link #GROUP_ASSIGNOR})
 * @param createTopics create the jobs, retry, dead-letter and results topics if missing ({@link #CREATE_TOPICS})
 * @param topicPartitions partitions of topics this worker creates ({@link #TOPIC_PARTITIONS})
 * @param topicReplication replication factor of topics this worker creates, -1 = broker default
 *     ({@link #TOPIC_REPLICATION})
 * @param httpEnabled serve health and metrics over HTTP ({@link #HTTP_ENABLED})
 * @param httpHost HTTP bind address ({@link #HTTP_HOST})
 * @param httpPort HTTP port, 0 = any free port ({@link #HTTP_PORT})
 * @param kafka brokers and client overrides
 * @param registry schema registry
 * @param topics topic names
 * @param llm provider selection (used when no provider is passed to {@link WorkerService#start})
 * @param resilience call timeout, breaker and rate limits around the provider
 * @param clock time source of due times, deadlines and durations
 */
public record WorkerConfig(
        String groupId,
        String workerId,
        int partitionConcurrency,
        int maxInFlight,
        int bufferPerPartition,
        int maxUncommitted,
        int maxAttempts,
        List<Duration> retryDelays,
        int localRetries,
        Duration localRetryDelay,
        Duration revokeTimeout,
        Duration shutdownGrace,
        Duration commitInterval,
        Duration pollTimeout,
        GroupProtocol groupProtocol,
        String groupAssignor,
        boolean createTopics,
        int topicPartitions,
        int topicReplication,
        boolean httpEnabled,
        String httpHost,
        int httpPort,
        KafkaSettings kafka,
        RegistryConfig registry,
        TopicNames topics,
        LlmConfig llm,
        ResilienceConfig resilience,
        Clock clock) {

    /** Consumer group protocols. */
    public enum GroupProtocol {
        /** KIP-848 (broker-side assignment, incremental): a joining replica does not stop the others. */
        CONSUMER,
        /** The classic protocol with the cooperative-sticky assignor (incremental too). */
        CLASSIC
    }

    /** Consumer group shared by all worker replicas (default {@value #DEFAULT_GROUP_ID}). */
    public static final String GROUP_ID = "PROMPTQ_WORKER_GROUP_ID";
    /** This replica's id: in results, Kafka client ids and metric tags (default: host name plus a random suffix). */
    public static final String WORKER_ID = "PROMPTQ_WORKER_ID";
    /** K: at most this many jobs of one partition run at once (default {@value #DEFAULT_PARTITION_CONCURRENCY}). */
    public static final String PARTITION_CONCURRENCY = "PROMPTQ_WORKER_PARTITION_CONCURRENCY";
    /** At most this many jobs of the whole worker run at once (default {@value #DEFAULT_MAX_IN_FLIGHT}). */
    public static final String MAX_IN_FLIGHT = "PROMPTQ_WORKER_MAX_IN_FLIGHT";
    /**
     * Fetched records held per partition while its permits are taken (default {@value
     * #DEFAULT_BUFFER_PER_PARTITION}); also the default {@code max.poll.records}. With K it bounds the worker's
     * memory whatever the backlog. On a retry tier it is the look-ahead window in which a due record may start
     * before an earlier one that is not due yet.
     */
    public static final String BUFFER_PER_PARTITION = "PROMPTQ_WORKER_BUFFER_PER_PARTITION";
    /**
     * At most this many records of one partition may be fetched but not committable - finished ones behind a
     * still running older one included - before the partition is paused (default {@value
     * #DEFAULT_MAX_UNCOMMITTED}): bounds memory when one job is stuck.
     */
    public static final String MAX_UNCOMMITTED = "PROMPTQ_WORKER_MAX_UNCOMMITTED";
    /** Provider attempts per job, in-process and topic retries included, before it is dead-lettered (default 5). */
    public static final String MAX_ATTEMPTS = "PROMPTQ_WORKER_MAX_ATTEMPTS";
    /**
     * Delays of the retry tiers, comma-separated and non-decreasing, e.g. {@code 5s,30s,5m} (the default). A
     * job's n-th topic retry goes to tier min(n-1, last) and is due after a random delay in [0, tier delay] (full
     * jitter), never before a provider's Retry-After.
     */
    public static final String RETRY_DELAYS = "PROMPTQ_WORKER_RETRY_DELAYS";
    /** Quick in-process retries of a transient failure before a retry topic is used (default 0). */
    public static final String LOCAL_RETRIES = "PROMPTQ_WORKER_LOCAL_RETRIES";
    /** Longest wait before an in-process retry; full jitter below it (default 200ms). */
    public static final String LOCAL_RETRY_DELAY = "PROMPTQ_WORKER_LOCAL_RETRY_DELAY";
    /**
     * How long a revoked partition waits for its running jobs before they are abandoned and left to the new
     * owner (default 10s; keep it below the group's rebalance timeout).
     */
    public static final String REVOKE_TIMEOUT = "PROMPTQ_WORKER_REVOKE_TIMEOUT";
    /** How long a stop (SIGTERM) waits for running jobs before committing and exiting (default 30s). */
    public static final String SHUTDOWN_GRACE = "PROMPTQ_WORKER_SHUTDOWN_GRACE";
    /** How often finished offsets are committed asynchronously (default 1s). */
    public static final String COMMIT_INTERVAL = "PROMPTQ_WORKER_COMMIT_INTERVAL";
    /** Longest single poll; finishing jobs and due retries wake the poll earlier (default 250ms). */
    public static final String POLL_TIMEOUT = "PROMPTQ_WORKER_POLL_TIMEOUT";
    /**
     * Group protocol: {@code classic} with the cooperative-sticky assignor (the default) or {@code consumer}
     * (KIP-848). Both rebalance incrementally, so a joining replica does not stop the others. Classic is the
     * default because the 4.3.1 client with the consumer protocol was measured spinning its poll and background
     * threads (about one core) while paused partitions still had fetched data buffered, which is exactly a
     * worker's state when its permits are all taken.
     */
    public static final String GROUP_PROTOCOL = "PROMPTQ_WORKER_GROUP_PROTOCOL";
    /**
     * Server-side assignor with the {@code consumer} protocol (default {@value #DEFAULT_GROUP_ASSIGNOR}). The jobs
     * topic and the retry tiers share one subscription: {@code range} spreads the partitions of every topic evenly
     * over the workers, while {@code uniform} balances only their total, so a worker could get nothing but retry
     * partitions. Ignored with the classic protocol.
     */
    public static final String GROUP_ASSIGNOR = "PROMPTQ_WORKER_GROUP_ASSIGNOR";
    /** Create the jobs, retry-tier, dead-letter and results topics if missing (default true). */
    public static final String CREATE_TOPICS = "PROMPTQ_WORKER_CREATE_TOPICS";
    /** Partitions of the topics the worker creates (default {@value #DEFAULT_TOPIC_PARTITIONS}). */
    public static final String TOPIC_PARTITIONS = "PROMPTQ_WORKER_TOPIC_PARTITIONS";
    /** Replication factor of the topics the worker creates; -1 = the broker's default (default -1). */
    public static final String TOPIC_REPLICATION = "PROMPTQ_WORKER_TOPIC_REPLICATION";
    /** Serve /health/live, /health/ready, /metrics and /stats over HTTP (default true). */
    public static final String HTTP_ENABLED = "PROMPTQ_WORKER_HTTP_ENABLED";
    /** HTTP bind address (default {@value #DEFAULT_HTTP_HOST}; containers set 0.0.0.0). */
    public static final String HTTP_HOST = "PROMPTQ_HTTP_HOST";
    /** HTTP port, 0 = any free port (default {@value #DEFAULT_HTTP_PORT}). */
    public static final String HTTP_PORT = "PROMPTQ_HTTP_PORT";

    public static final String DEFAULT_GROUP_ID = "promptq-workers";
    public static final int DEFAULT_PARTITION_CONCURRENCY = 10;
    public static final int DEFAULT_MAX_IN_FLIGHT = 100;
    public static final int DEFAULT_BUFFER_PER_PARTITION = 50;
    public static final int DEFAULT_MAX_UNCOMMITTED = 10_000;
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final List<Duration> DEFAULT_RETRY_DELAYS =
            List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));
    public static final int DEFAULT_LOCAL_RETRIES = 0;
    public static final Duration DEFAULT_LOCAL_RETRY_DELAY = Duration.ofMillis(200);
    public static final Duration DEFAULT_REVOKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The revocation callback blocks the poll thread: past the consumer's {@code max.poll.interval.ms} (5 min by
     * default) the member would be evicted from the group, so the wait stays below it.
     */
    public static final Duration MAX_REVOKE_TIMEOUT = Duration.ofMinutes(4);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(250);
    public static final GroupProtocol DEFAULT_GROUP_PROTOCOL = GroupProtocol.CLASSIC;
    public static final String DEFAULT_GROUP_ASSIGNOR = "range";
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final int DEFAULT_TOPIC_REPLICATION = -1;
    public static final boolean DEFAULT_HTTP_ENABLED = true;
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8082;

    private static final int MAX_LIMIT = 1_000_000;
    private static final int MAX_TIERS = 20;

    public WorkerConfig {
        requireText(GROUP_ID, groupId);
        requireText(WORKER_ID, workerId);
        checkRange(PARTITION_CONCURRENCY, partitionConcurrency, 1, MAX_LIMIT);
        checkRange(MAX_IN_FLIGHT, maxInFlight, 1, MAX_LIMIT);
        checkRange(BUFFER_PER_PARTITION, bufferPerPartition, 1, MAX_LIMIT);
        checkRange(MAX_UNCOMMITTED, maxUncommitted, 1, 100 * MAX_LIMIT);
        checkRange(MAX_ATTEMPTS, maxAttempts, 1, 1000);
        Objects.requireNonNull(retryDelays, RETRY_DELAYS);
        retryDelays = List.copyOf(retryDelays);
        if (retryDelays.isEmpty() || retryDelays.size() > MAX_TIERS) {
            throw ConfigException.invalid(RETRY_DELAYS, retryDelays, "must list 1 to " + MAX_TIERS + " delays");
        }
        checkRange(LOCAL_RETRIES, localRetries, 0, 100);
        checkDuration(LOCAL_RETRY_DELAY, localRetryDelay, Duration.ZERO, Duration.ofMinutes(1));
        checkDuration(REVOKE_TIMEOUT, revokeTimeout, Duration.ZERO, MAX_REVOKE_TIMEOUT);
        checkDuration(SHUTDOWN_GRACE, shutdownGrace, Duration.ZERO, Duration.ofHours(1));
        checkDuration(COMMIT_INTERVAL, commitInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
        checkDuration(POLL_TIMEOUT, pollTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
        Objects.requireNonNull(groupProtocol, GROUP_PROTOCOL);
        requireText(GROUP_ASSIGNOR, groupAssignor);
        checkRange(TOPIC_PARTITIONS, topicPartitions, 1, 100_000);
        if (topicReplication != -1 && (topicReplication < 1 || topicReplication > Short.MAX_VALUE)) {
            throw ConfigException.invalid(TOPIC_REPLICATION, topicReplication, "must be -1 (broker default) or at least 1");
        }
        requireText(HTTP_HOST, httpHost);
        checkRange(HTTP_PORT, httpPort, 0, 65_535);
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(llm, "llm");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(clock, "clock");
        validate(retryDelays);
    }

    /** Reads and validates every key (see the constants), with the defaults for unset ones. */
    public static WorkerConfig from(ConfigSource source) {
        List<Duration> delays = source.durations(RETRY_DELAYS, DEFAULT_RETRY_DELAYS, Duration.ZERO, Duration.ofDays(7));
        if (delays.size() > MAX_TIERS) {
            throw ConfigException.invalid(RETRY_DELAYS, source.string(RETRY_DELAYS, ""), "must list at most " + MAX_TIERS + " delays");
        }
        for (int i = 1; i < delays.size(); i++) {
            if (delays.get(i).compareTo(delays.get(i - 1)) < 0) {
                throw ConfigException.invalid(RETRY_DELAYS, source.string(RETRY_DELAYS, ""), "delays must not decrease");
            }
        }
        return new WorkerConfig(
                source.string(GROUP_ID, DEFAULT_GROUP_ID),
                source.optional(WORKER_ID).orElseGet(WorkerConfig::defaultWorkerId),
                source.integer(PARTITION_CONCURRENCY, DEFAULT_PARTITION_CONCURRENCY, 1, MAX_LIMIT),
                source.integer(MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT, 1, MAX_LIMIT),
                source.integer(BUFFER_PER_PARTITION, DEFAULT_BUFFER_PER_PARTITION, 1, MAX_LIMIT),
                source.integer(MAX_UNCOMMITTED, DEFAULT_MAX_UNCOMMITTED, 1, 100 * MAX_LIMIT),
                source.integer(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 1000),
                delays,
                source.integer(LOCAL_RETRIES, DEFAULT_LOCAL_RETRIES, 0, 100),
                source.duration(LOCAL_RETRY_DELAY, DEFAULT_LOCAL_RETRY_DELAY, Duration.ZERO, Duration.ofMinutes(1)),
                source.duration(REVOKE_TIMEOUT, DEFAULT_REVOKE_TIMEOUT, Duration.ZERO, MAX_REVOKE_TIMEOUT),
                source.duration(SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofHours(1)),
                source.duration(COMMIT_INTERVAL, DEFAULT_COMMIT_INTERVAL, Duration.ofMillis(10), Duration.ofMinutes(10)),
                source.duration(POLL_TIMEOUT, DEFAULT_POLL_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(1)),
                source.enumValue(GROUP_PROTOCOL, GroupProtocol.class, DEFAULT_GROUP_PROTOCOL),
                source.string(GROUP_ASSIGNOR, DEFAULT_GROUP_ASSIGNOR),
                source.bool(CREATE_TOPICS, DEFAULT_CREATE_TOPICS),
                source.integer(TOPIC_PARTITIONS, DEFAULT_TOPIC_PARTITIONS, 1, 100_000),
                source.integer(TOPIC_REPLICATION, DEFAULT_TOPIC_REPLICATION, -1, Short.MAX_VALUE),
                source.bool(HTTP_ENABLED, DEFAULT_HTTP_ENABLED),
                source.string(HTTP_HOST, DEFAULT_HTTP_HOST),
                source.integer(HTTP_PORT, DEFAULT_HTTP_PORT, 0, 65_535),
                KafkaSettings.from(source),
                registry(source),
                TopicNames.from(source),
                LlmConfig.from(source),
                ResilienceConfig.from(source),
                Clock.systemUTC());
    }

    /** A copy with another worker id. */
    public WorkerConfig withWorkerId(String value) {
        return new WorkerConfig(groupId, value, partitionConcurrency, maxInFlight, bufferPerPartition, maxUncommitted,
                maxAttempts, retryDelays, localRetries, localRetryDelay, revokeTimeout, shutdownGrace, commitInterval,
                pollTimeout, groupProtocol, groupAssignor, createTopics, topicPartitions, topicReplication, httpEnabled,
                httpHost, httpPort, kafka, registry, topics, llm, resilience, clock);
    }

    /** A copy with other resilience settings (timeout, breaker, rate limits). */
    public WorkerConfig withResilience(ResilienceConfig value) {
        return new WorkerConfig(groupId, workerId, partitionConcurrency, maxInFlight, bufferPerPartition, maxUncommitted,
                maxAttempts, retryDelays, localRetries, localRetryDelay, revokeTimeout, shutdownGrace, commitInterval,
                pollTimeout, groupProtocol, groupAssignor, createTopics, topicPartitions, topicReplication, httpEnabled,
                httpHost, httpPort, kafka, registry, topics, llm, value, clock);
    }

    /** A copy with HTTP switched on or off. */
    public WorkerConfig withHttpEnabled(boolean value) {
        return new WorkerConfig(groupId, workerId, partitionConcurrency, maxInFlight, bufferPerPartition, maxUncommitted,
                maxAttempts, retryDelays, localRetries, localRetryDelay, revokeTimeout, shutdownGrace, commitInterval,
                pollTimeout, groupProtocol, groupAssignor, createTopics, topicPartitions, topicReplication, value,
                httpHost, httpPort, kafka, registry, topics, llm, resilience, clock);
    }

    /** A copy with another clock (tests). */
    public WorkerConfig withClock(Clock value) {
        return new WorkerConfig(groupId, workerId, partitionConcurrency, maxInFlight, bufferPerPartition, maxUncommitted,
                maxAttempts, retryDelays, localRetries, localRetryDelay, revokeTimeout, shutdownGrace, commitInterval,
                pollTimeout, groupProtocol, groupAssignor, createTopics, topicPartitions, topicReplication, httpEnabled,
                httpHost, httpPort, kafka, registry, topics, llm, resilience, value);
    }

    /** Host name plus six random hex digits, so that replicas on one host differ. */
    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        byte[] suffix = new byte[3];
        ThreadLocalRandom.current().nextBytes(suffix);
        return host + "-" + HexFormat.of().formatHex(suffix);
    }

    private static RegistryConfig registry(ConfigSource source) {
        try {
            return RegistrySettings.from(source);
        } catch (org.apache.kafka.common.config.ConfigException | IllegalArgumentException e) {
            throw ConfigException.invalid(RegistrySettings.URL, source.string(RegistrySettings.URL, RegistrySettings.DEFAULT_URL),
                    e.getMessage());
        }
    }

    /** Cross-field check; changes nothing. */
    private static void validate(List<Duration> retryDelays) {
        for (int i = 0; i < retryDelays.size(); i++) {
            Duration d = Objects.requireNonNull(retryDelays.get(i), RETRY_DELAYS);
            if (d.isNegative() || (i > 0 && d.compareTo(retryDelays.get(i - 1)) < 0)) {
                throw ConfigException.invalid(RETRY_DELAYS, retryDelays, "delays must be non-negative and must not decrease");
            }
        }
    }

    private static void requireText(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key, "must not be blank");
        }
    }

    private static void checkRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw ConfigException.invalid(key, value, "must be between " + min + " and " + max);
        }
    }

    private static void checkDuration(String key, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, key);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw ConfigException.invalid(key, value, "must be between " + min + " and " + max);
        }
    }
}
