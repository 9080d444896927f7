package io.promptq.worker;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.TopicNames;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jspecify.annotations.Nullable;

/**
 * Everything a worker needs, validated when built: a bad value fails the start-up with a
 * {@link ConfigException} naming the environment key and the value. Built from the environment with
 * {@link #from(ConfigSource)} or with {@link #builder()} / {@link #toBuilder()}; the Kafka, registry, topic, LLM and resilience parts are read by their own
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
 * @param rebalanceStuckAfter how long a rebalance of this member may last before readiness reports it stuck
 *     ({@link #REBALANCE_STUCK_AFTER})
 * @param commitInterval how often finished jobs' outputs and offsets are committed ({@link #COMMIT_INTERVAL})
 * @param statusInterval how often the worker publishes its status record for the console, zero for never
 *     ({@link #STATUS_INTERVAL})
 * @param transactions outputs and offsets in one Kafka transaction ({@link #TRANSACTIONS})
 * @param publishStates write RUNNING and RETRYING job states to the status topic ({@link #PUBLISH_STATES})
 * @param transactionalIdPrefix prefix of the transactional id, null = the group id
 *     ({@link #TRANSACTIONAL_ID_PREFIX})
 * @param maxCrashStarts starts without an outcome after which a job is dead-lettered ({@link #MAX_CRASH_STARTS})
 * @param offsetMetadataMaxBytes longest commit metadata (finished records above the position, start counts)
 *     ({@link #OFFSET_METADATA_MAX_BYTES})
 * @param idempotencyWindow how long after its first submission a keyed job's later copies are dropped
 *     ({@link Idempotency#WINDOW}, shared with the submitters)
 * @param idempotencyMaxKeys keyed jobs remembered per jobs partition ({@link #IDEMPOTENCY_MAX_KEYS})
 * @param jobStatusRetention how long cancel requests hold and the lifecycle topics keep records
 *     ({@link JobLifecycle#RETENTION})
 * @param cancellationsMaxKeys cancel requests held in memory ({@link #CANCELLATIONS_MAX_KEYS})
 * @param pollTimeout longest single poll ({@link #POLL_TIMEOUT})
 * @param groupProtocol consumer group protocol ({@link #GROUP_PROTOCOL})
 * @param groupAssignor server-side assignor with the KIP-848 protocol ({@link #GROUP_ASSIGNOR})
 * @param createTopics create the jobs, retry, dead-letter and results topics and the idempotency ledger if missing
 *     ({@link #CREATE_TOPICS})
 * @param topicPartitions partitions of topics this worker creates ({@link #TOPIC_PARTITIONS})
 * @param topicReplication replication factor of topics this worker creates, -1 = min(3, brokers)
 *     ({@link #TOPIC_REPLICATION})
 * @param topicMinInSyncReplicas {@code min.insync.replicas} of topics this worker creates, -1 = min(2, replication)
 *     ({@link #TOPIC_MIN_INSYNC_REPLICAS})
 * @param httpEnabled serve health and metrics over HTTP ({@link #HTTP_ENABLED})
 * @param httpHost HTTP bind address ({@link #HTTP_HOST})
 * @param httpPort HTTP port, 0 = any free port ({@link #HTTP_PORT})
 * @param managementPort port of {@code /health/*} and {@code /metrics} when apart from the HTTP port
 *     ({@link OpsServer#MANAGEMENT_PORT}; null: on the HTTP port)
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
        Duration rebalanceStuckAfter,
        Duration commitInterval,
        Duration statusInterval,
        boolean transactions,
        boolean publishStates,
        @Nullable String transactionalIdPrefix,
        int maxCrashStarts,
        int offsetMetadataMaxBytes,
        Duration idempotencyWindow,
        int idempotencyMaxKeys,
        Duration jobStatusRetention,
        int cancellationsMaxKeys,
        Duration pollTimeout,
        GroupProtocol groupProtocol,
        String groupAssignor,
        boolean createTopics,
        int topicPartitions,
        int topicReplication,
        int topicMinInSyncReplicas,
        boolean httpEnabled,
        String httpHost,
        int httpPort,
        @Nullable Integer managementPort,
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
    /**
     * A revoked partition's running jobs are given the provider call timeout plus 15 s to finish and commit, so a
     * scale-out does not abandon calls already paid for. Under the cooperative protocols only the revoked
     * partitions' handover (and this member's own polling) waits; the rest of the group keeps working.
     */
    public static final Duration DEFAULT_REVOKE_TIMEOUT = ResilienceConfig.DEFAULT_CALL_TIMEOUT.plusSeconds(15);
    /**
     * The revocation callback blocks the poll thread: past the consumer's {@code max.poll.interval.ms} (5 min by
     * default) the member would be evicted from the group, so the wait stays below it.
     */
    public static final Duration MAX_REVOKE_TIMEOUT = Duration.ofMinutes(4);
    /**
     * A stop gives running jobs the provider call timeout plus 15 s to finish and commit, so a SIGTERM does not
     * abandon calls already paid for. The orchestrator's kill deadline (Kubernetes
     * {@code terminationGracePeriodSeconds}, Compose {@code stop_grace_period}) must exceed it, plus about 20 s to
     * leave the group and close.
     */
    public static final Duration DEFAULT_SHUTDOWN_GRACE = ResilienceConfig.DEFAULT_CALL_TIMEOUT.plusSeconds(15);
    public static final Duration DEFAULT_REBALANCE_STUCK_AFTER = Duration.ofSeconds(60);
    /**
     * Outcomes become visible at commit, so the interval is end-to-end latency: 100 ms adds about 50 ms on
     * average (see the README's Performance section for the cost of shorter intervals).
     */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    /** A status record every 2 s: the console's Workers view is at most that old, and 3 missed ones mark it stale. */
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(2);
    public static final boolean DEFAULT_TRANSACTIONS = true;
    public static final boolean DEFAULT_PUBLISH_STATES = true;
    public static final int DEFAULT_MAX_CRASH_STARTS = 3;
    /** Kafka's default {@code offset.metadata.max.bytes}. */
    public static final int DEFAULT_OFFSET_METADATA_MAX_BYTES = 4096;
    /** About 200 bytes of heap each: some 40 MB per jobs partition the worker owns. */
    public static final int DEFAULT_IDEMPOTENCY_MAX_KEYS = 200_000;
    public static final int DEFAULT_CANCELLATIONS_MAX_KEYS = 100_000;
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(250);
    public static final GroupProtocol DEFAULT_GROUP_PROTOCOL = GroupProtocol.CLASSIC;
    public static final String DEFAULT_GROUP_ASSIGNOR = "range";
    public static final boolean DEFAULT_CREATE_TOPICS = true;
    public static final int DEFAULT_TOPIC_PARTITIONS = 6;
    public static final int DEFAULT_TOPIC_REPLICATION = -1;
    public static final int DEFAULT_TOPIC_MIN_INSYNC_REPLICAS = -1;
    public static final boolean DEFAULT_HTTP_ENABLED = true;
    public static final String DEFAULT_HTTP_HOST = "127.0.0.1";
    public static final int DEFAULT_HTTP_PORT = 8082;

    private static final int MAX_LIMIT = 1_000_000;
    private static final int MAX_TIERS = 20;
    private static final Duration MAX_RETRY_DELAY = Duration.ofDays(7);

    /** Consumer group shared by all worker replicas (default {@value #DEFAULT_GROUP_ID}). */
    public static final ConfigKey<String> GROUP_ID = ConfigKey.text("PROMPTQ_WORKER_GROUP_ID", DEFAULT_GROUP_ID);
    /** This replica's id: in results, Kafka client ids and metric tags (default: host name plus a random suffix). */
    public static final ConfigKey<String> WORKER_ID = ConfigKey.text("PROMPTQ_WORKER_ID");
    /** K: at most this many jobs of one partition run at once (default {@value #DEFAULT_PARTITION_CONCURRENCY}). */
    public static final ConfigKey<Integer> PARTITION_CONCURRENCY =
            ConfigKey.integer("PROMPTQ_WORKER_PARTITION_CONCURRENCY", DEFAULT_PARTITION_CONCURRENCY, 1, MAX_LIMIT);
    /** At most this many jobs of the whole worker run at once (default {@value #DEFAULT_MAX_IN_FLIGHT}). */
    public static final ConfigKey<Integer> MAX_IN_FLIGHT =
            ConfigKey.integer("PROMPTQ_WORKER_MAX_IN_FLIGHT", DEFAULT_MAX_IN_FLIGHT, 1, MAX_LIMIT);
    /**
     * Fetched records held per partition while its permits are taken (default {@value
     * #DEFAULT_BUFFER_PER_PARTITION}); also the default {@code max.poll.records}. With K it bounds the worker's
     * memory whatever the backlog. On a retry tier it is the look-ahead window in which a due record may start
     * before an earlier one that is not due yet.
     */
    public static final ConfigKey<Integer> BUFFER_PER_PARTITION =
            ConfigKey.integer("PROMPTQ_WORKER_BUFFER_PER_PARTITION", DEFAULT_BUFFER_PER_PARTITION, 1, MAX_LIMIT);
    /**
     * At most this many records of one partition may be fetched but not committable - finished ones behind a
     * still running older one included - before the partition is paused (default {@value
     * #DEFAULT_MAX_UNCOMMITTED}): bounds memory when one job is stuck.
     */
    public static final ConfigKey<Integer> MAX_UNCOMMITTED =
            ConfigKey.integer("PROMPTQ_WORKER_MAX_UNCOMMITTED", DEFAULT_MAX_UNCOMMITTED, 1, 100 * MAX_LIMIT);
    /** Provider attempts per job, in-process and topic retries included, before it is dead-lettered (default 5). */
    public static final ConfigKey<Integer> MAX_ATTEMPTS = ConfigKey.integer("PROMPTQ_WORKER_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, 1000);
    /**
     * Delays of the retry tiers, comma-separated and non-decreasing, e.g. {@code 5s,30s,5m} (the default). A
     * job's n-th topic retry goes to tier min(n-1, last) and is due after a random delay in [0, tier delay] (full
     * jitter), never before a provider's Retry-After.
     */
    public static final ConfigKey<List<Duration>> RETRY_DELAYS =
            ConfigKey.durations("PROMPTQ_WORKER_RETRY_DELAYS", DEFAULT_RETRY_DELAYS, Duration.ZERO, MAX_RETRY_DELAY)
                    .and(delays -> delays.size() <= MAX_TIERS, "must list 1 to " + MAX_TIERS + " delays")
                    .and(WorkerConfig::nonDecreasing, "delays must not decrease");
    /** Quick in-process retries of a transient failure before a retry topic is used (default 0). */
    public static final ConfigKey<Integer> LOCAL_RETRIES = ConfigKey.integer("PROMPTQ_WORKER_LOCAL_RETRIES", DEFAULT_LOCAL_RETRIES, 0, 100);
    /** Longest wait before an in-process retry; full jitter below it (default 200ms). */
    public static final ConfigKey<Duration> LOCAL_RETRY_DELAY = ConfigKey.duration("PROMPTQ_WORKER_LOCAL_RETRY_DELAY",
            DEFAULT_LOCAL_RETRY_DELAY, Duration.ZERO, Duration.ofMinutes(1));
    /**
     * How long a revoked partition waits for its running jobs before they are abandoned and left to the new
     * owner (default 75s: the provider call timeout plus a margin to commit). It must stay below the consumer's
     * {@code max.poll.interval.ms} (checked at start-up): the wait blocks the poll thread.
     */
    public static final ConfigKey<Duration> REVOKE_TIMEOUT =
            ConfigKey.duration("PROMPTQ_WORKER_REVOKE_TIMEOUT", DEFAULT_REVOKE_TIMEOUT, Duration.ZERO, MAX_REVOKE_TIMEOUT);
    /**
     * How long a stop (SIGTERM) waits for running jobs before committing and exiting (default 75s: the provider
     * call timeout plus a margin to commit; the orchestrator's grace period must be longer).
     */
    public static final ConfigKey<Duration> SHUTDOWN_GRACE =
            ConfigKey.duration("PROMPTQ_WORKER_SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE, Duration.ZERO, Duration.ofHours(1));
    /**
     * How long this member may be in one rebalance (from partitions revoked or lost, or a commit refused for a
     * rebalance, to the next assignment) before the {@code group} readiness check is down (default 60s). While its
     * join is pending a classic-protocol member fetches nothing, not even for partitions it keeps; a join waits at
     * most the session timeout of a vanished member or the rebalance timeout ({@code max.poll.interval.ms}) of a
     * slow one, so a longer rebalance means the group is stuck.
     */
    public static final ConfigKey<Duration> REBALANCE_STUCK_AFTER = ConfigKey.duration(
            "PROMPTQ_WORKER_REBALANCE_STUCK_AFTER", DEFAULT_REBALANCE_STUCK_AFTER, Duration.ofSeconds(1),
            Duration.ofHours(1));
    /**
     * How often finished jobs' outputs and offsets are committed (default 100ms). Outcomes become visible to
     * readers at commit, so this is added latency (half of it on average); each commit is one transaction.
     */
    public static final ConfigKey<Duration> COMMIT_INTERVAL = ConfigKey.duration("PROMPTQ_WORKER_COMMIT_INTERVAL",
            DEFAULT_COMMIT_INTERVAL, Duration.ofMillis(10), Duration.ofMinutes(10));
    /**
     * How often the worker publishes its {@code WorkerStatus} (assigned partitions, in-flight jobs vs. permits, pause
     * reasons, breakers) to the workers topic for the console (default 2s; 0 = never). Sent from a thread of its
     * own with a small producer, never from the poll loop.
     */
    public static final ConfigKey<Duration> STATUS_INTERVAL = ConfigKey.duration("PROMPTQ_WORKER_STATUS_INTERVAL",
            DEFAULT_STATUS_INTERVAL, Duration.ZERO, Duration.ofMinutes(10))
            .and(d -> d.isZero() || d.toMillis() >= 100, "must be 0 (off) or at least 100ms");
    /**
     * Write each commit's outcome records (results, retry records, dead letters) and the consumed offsets in one
     * Kafka transaction (default true): a crash or revocation leaves nothing visible to {@code read_committed}
     * readers, so a redelivered record starts clean - one outcome per job. {@code false}: outcomes first, then
     * offsets (at least once: an outcome may be written twice).
     */
    public static final ConfigKey<Boolean> TRANSACTIONS = ConfigKey.bool("PROMPTQ_WORKER_TRANSACTIONS", DEFAULT_TRANSACTIONS);
    /**
     * Write RUNNING (when an attempt reaches the provider) and RETRYING (with the retry record) job states to the
     * status topic, for the job views (default true). {@code false} saves two records per attempt on the broker;
     * the views then show a job QUEUED until its outcome.
     */
    public static final ConfigKey<Boolean> PUBLISH_STATES = ConfigKey.bool("PROMPTQ_WORKER_PUBLISH_STATES",
            DEFAULT_PUBLISH_STATES);
    /**
     * Prefix of the worker's {@code transactional.id}, which is {@code <prefix>-<workerId>} (default: the group
     * id). Two live workers must not share a worker id: the newer one fences the older.
     */
    public static final ConfigKey<String> TRANSACTIONAL_ID_PREFIX = ConfigKey.text("PROMPTQ_WORKER_TRANSACTIONAL_ID_PREFIX");
    /**
     * A job whose record was started this many times without an outcome - its attempts keep dying with their
     * worker - is dead-lettered as {@code CRASH_LOOP} without calling the provider again (default 3).
     */
    public static final ConfigKey<Integer> MAX_CRASH_STARTS =
            ConfigKey.integer("PROMPTQ_WORKER_MAX_CRASH_STARTS", DEFAULT_MAX_CRASH_STARTS, 1, 1000);
    /**
     * Longest metadata a commit carries: the records finished above the committed position (so the partition's
     * next owner skips them instead of running them again) and the start counts of records started without an
     * outcome (crash loops). Must not exceed the brokers' {@code offset.metadata.max.bytes} (default 4096); what does
     * not fit is left out, finished records first (they then run again after a rebalance). 0 turns it off.
     */
    public static final ConfigKey<Integer> OFFSET_METADATA_MAX_BYTES = ConfigKey.integer(
            "PROMPTQ_WORKER_OFFSET_METADATA_MAX_BYTES", DEFAULT_OFFSET_METADATA_MAX_BYTES, 0, 1_048_576);
    /**
     * Keyed jobs (ones with an idempotency key) the worker remembers per jobs partition it owns, to drop their later
     * copies without a provider call: the oldest are forgotten first (counted in {@code
     * promptq.worker.idempotency.evicted}, logged once); a forgotten key's next copy runs again. About 200 bytes of
     * heap each (default {@value #DEFAULT_IDEMPOTENCY_MAX_KEYS}).
     */
    public static final ConfigKey<Integer> IDEMPOTENCY_MAX_KEYS = ConfigKey.integer(
            "PROMPTQ_WORKER_IDEMPOTENCY_MAX_KEYS", DEFAULT_IDEMPOTENCY_MAX_KEYS, 1_000, 100_000_000);
    /**
     * Cancel requests the worker holds in memory (it reads the whole cancellations topic): the oldest are forgotten
     * first, so a job cancelled long ago and still queued runs. About 150 bytes of heap each (default
     * {@value #DEFAULT_CANCELLATIONS_MAX_KEYS}).
     */
    public static final ConfigKey<Integer> CANCELLATIONS_MAX_KEYS = ConfigKey.integer(
            "PROMPTQ_WORKER_CANCELLATIONS_MAX_KEYS", DEFAULT_CANCELLATIONS_MAX_KEYS, 1_000, 100_000_000);
    /** Longest single poll; finishing jobs and due retries wake the poll earlier (default 250ms). */
    public static final ConfigKey<Duration> POLL_TIMEOUT = ConfigKey.duration("PROMPTQ_WORKER_POLL_TIMEOUT",
            DEFAULT_POLL_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(1));
    /**
     * Group protocol: {@code classic} with the cooperative-sticky assignor (the default) or {@code consumer}
     * (KIP-848). Both rebalance incrementally, so a joining replica does not stop the others. Classic is the
     * default because the 4.3.1 client with the consumer protocol was measured spinning its poll and background
     * threads (about one core) while paused partitions still had fetched data buffered, which is exactly a
     * worker's state when its permits are all taken.
     */
    public static final ConfigKey<GroupProtocol> GROUP_PROTOCOL =
            ConfigKey.enumeration("PROMPTQ_WORKER_GROUP_PROTOCOL", GroupProtocol.class, DEFAULT_GROUP_PROTOCOL);
    /**
     * Server-side assignor with the {@code consumer} protocol (default {@value #DEFAULT_GROUP_ASSIGNOR}). The jobs
     * topic and the retry tiers share one subscription: {@code range} spreads the partitions of every topic evenly
     * over the workers, while {@code uniform} balances only their total, so a worker could get nothing but retry
     * partitions. Ignored with the classic protocol.
     */
    public static final ConfigKey<String> GROUP_ASSIGNOR = ConfigKey.text("PROMPTQ_WORKER_GROUP_ASSIGNOR", DEFAULT_GROUP_ASSIGNOR);
    /** Create the jobs, retry-tier, dead-letter and results topics and the idempotency ledger if missing (default true). */
    public static final ConfigKey<Boolean> CREATE_TOPICS = ConfigKey.bool("PROMPTQ_WORKER_CREATE_TOPICS", DEFAULT_CREATE_TOPICS);
    /** Partitions of the topics the worker creates (default {@value #DEFAULT_TOPIC_PARTITIONS}). */
    public static final ConfigKey<Integer> TOPIC_PARTITIONS =
            ConfigKey.integer("PROMPTQ_WORKER_TOPIC_PARTITIONS", DEFAULT_TOPIC_PARTITIONS, 1, 100_000);
    /** Replication factor of the topics the worker creates; -1 = min(3, brokers in the cluster) (default -1). */
    public static final ConfigKey<Integer> TOPIC_REPLICATION =
            ConfigKey.integer("PROMPTQ_WORKER_TOPIC_REPLICATION", DEFAULT_TOPIC_REPLICATION, -1, Short.MAX_VALUE)
                    .and(replication -> replication != 0, "must be -1 (min(3, brokers)) or at least 1");
    /**
     * {@code min.insync.replicas} of the topics the worker creates, at most the replication factor; -1 =
     * min(2, replication factor) (default -1).
     */
    public static final ConfigKey<Integer> TOPIC_MIN_INSYNC_REPLICAS = ConfigKey.integer(
            "PROMPTQ_WORKER_TOPIC_MIN_INSYNC_REPLICAS", DEFAULT_TOPIC_MIN_INSYNC_REPLICAS, -1, Short.MAX_VALUE)
            .and(minInSync -> minInSync != 0, "must be -1 (min(2, replication)) or at least 1");
    /** Serve /health/live, /health/ready, /metrics and /stats over HTTP (default true). */
    public static final ConfigKey<Boolean> HTTP_ENABLED = ConfigKey.bool("PROMPTQ_WORKER_HTTP_ENABLED", DEFAULT_HTTP_ENABLED);
    /** HTTP bind address (default {@value #DEFAULT_HTTP_HOST}; containers set 0.0.0.0). */
    public static final ConfigKey<String> HTTP_HOST = ConfigKey.text("PROMPTQ_HTTP_HOST", DEFAULT_HTTP_HOST);
    /** HTTP port, 0 = any free port (default {@value #DEFAULT_HTTP_PORT}). */
    public static final ConfigKey<Integer> HTTP_PORT = ConfigKey.integer("PROMPTQ_HTTP_PORT", DEFAULT_HTTP_PORT, 0, 65_535);

    public WorkerConfig {
        GROUP_ID.check(groupId);
        WORKER_ID.check(workerId);
        PARTITION_CONCURRENCY.check(partitionConcurrency);
        MAX_IN_FLIGHT.check(maxInFlight);
        BUFFER_PER_PARTITION.check(bufferPerPartition);
        MAX_UNCOMMITTED.check(maxUncommitted);
        MAX_ATTEMPTS.check(maxAttempts);
        retryDelays = RETRY_DELAYS.check(List.copyOf(Objects.requireNonNull(retryDelays, RETRY_DELAYS.name())));
        LOCAL_RETRIES.check(localRetries);
        LOCAL_RETRY_DELAY.check(localRetryDelay);
        REVOKE_TIMEOUT.check(revokeTimeout);
        Objects.requireNonNull(kafka, "kafka");
        long maxPollInterval = maxPollIntervalMs(kafka);
        if (revokeTimeout.toMillis() >= maxPollInterval) {
            throw new ConfigException(REVOKE_TIMEOUT.name(), "invalid value '" + revokeTimeout + "', must be below"
                    + " the consumer's max.poll.interval.ms (" + maxPollInterval + " ms, set by "
                    + MAX_POLL_INTERVAL_KEY + "): a revocation blocks the poll thread, and past max.poll.interval.ms"
                    + " the worker is evicted from the group");
        }
        SHUTDOWN_GRACE.check(shutdownGrace);
        REBALANCE_STUCK_AFTER.check(rebalanceStuckAfter);
        COMMIT_INTERVAL.check(commitInterval);
        STATUS_INTERVAL.check(statusInterval);
        if (transactionalIdPrefix != null) {
            TRANSACTIONAL_ID_PREFIX.check(transactionalIdPrefix);
        }
        MAX_CRASH_STARTS.check(maxCrashStarts);
        OFFSET_METADATA_MAX_BYTES.check(offsetMetadataMaxBytes);
        Idempotency.WINDOW.check(idempotencyWindow);
        IDEMPOTENCY_MAX_KEYS.check(idempotencyMaxKeys);
        JobLifecycle.RETENTION.check(jobStatusRetention);
        CANCELLATIONS_MAX_KEYS.check(cancellationsMaxKeys);
        POLL_TIMEOUT.check(pollTimeout);
        GROUP_PROTOCOL.check(groupProtocol);
        GROUP_ASSIGNOR.check(groupAssignor);
        TOPIC_PARTITIONS.check(topicPartitions);
        TOPIC_REPLICATION.check(topicReplication);
        TOPIC_MIN_INSYNC_REPLICAS.check(topicMinInSyncReplicas);
        if (topicReplication > 0 && topicMinInSyncReplicas > topicReplication) {
            throw new ConfigException(TOPIC_MIN_INSYNC_REPLICAS.name(), "invalid value '" + topicMinInSyncReplicas
                    + "', must be at most " + TOPIC_REPLICATION.name() + " (" + topicReplication + ")");
        }
        HTTP_HOST.check(httpHost);
        HTTP_PORT.check(httpPort);
        if (managementPort != null) {
            OpsServer.MANAGEMENT_PORT.check(managementPort);
        }
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(llm, "llm");
        Objects.requireNonNull(resilience, "resilience");
        Objects.requireNonNull(clock, "clock");
    }

    /** The environment key that sets the worker consumer's {@code max.poll.interval.ms}. */
    static final String MAX_POLL_INTERVAL_KEY = KafkaSettings.PREFIX + "CONSUMER_MAX_POLL_INTERVAL_MS";

    /**
     * The consumer's {@code max.poll.interval.ms}: from the consumer or the shared pass-through, else Kafka's
     * default (5 min).
     */
    static long maxPollIntervalMs(KafkaSettings kafka) {
        String value = kafka.consumer().get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        if (value == null) {
            value = kafka.common().get(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG);
        }
        if (value == null) {
            return DEFAULT_MAX_POLL_INTERVAL_MS;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(MAX_POLL_INTERVAL_KEY, value, "must be a number of milliseconds");
        }
    }

    /** Kafka's default {@code max.poll.interval.ms}. */
    private static final long DEFAULT_MAX_POLL_INTERVAL_MS = 300_000;

    /**
     * The longest a record can wait in a retry tier: the longest tier delay, or the longest provider
     * {@code Retry-After} honoured ({@link ResilienceConfig#MAX_RETRY_AFTER}), whichever is longer. The retry
     * tiers' retention is derived from it.
     */
    public Duration longestRetryDelay() {
        Duration longest = resilience.maxRetryAfter();
        for (Duration delay : retryDelays) {
            longest = delay.compareTo(longest) > 0 ? delay : longest;
        }
        return longest;
    }

    /** Reads and validates every key (see the constants), with the defaults for unset ones. */
    public static WorkerConfig from(ConfigSource source) {
        return new WorkerConfig(
                GROUP_ID.read(source),
                WORKER_ID.readOptional(source).orElseGet(WorkerConfig::defaultWorkerId),
                PARTITION_CONCURRENCY.read(source),
                MAX_IN_FLIGHT.read(source),
                BUFFER_PER_PARTITION.read(source),
                MAX_UNCOMMITTED.read(source),
                MAX_ATTEMPTS.read(source),
                RETRY_DELAYS.read(source),
                LOCAL_RETRIES.read(source),
                LOCAL_RETRY_DELAY.read(source),
                REVOKE_TIMEOUT.read(source),
                SHUTDOWN_GRACE.read(source),
                REBALANCE_STUCK_AFTER.read(source),
                COMMIT_INTERVAL.read(source),
                STATUS_INTERVAL.read(source),
                TRANSACTIONS.read(source),
                PUBLISH_STATES.read(source),
                TRANSACTIONAL_ID_PREFIX.readOptional(source).orElse(null),
                MAX_CRASH_STARTS.read(source),
                OFFSET_METADATA_MAX_BYTES.read(source),
                Idempotency.WINDOW.read(source),
                IDEMPOTENCY_MAX_KEYS.read(source),
                JobLifecycle.RETENTION.read(source),
                CANCELLATIONS_MAX_KEYS.read(source),
                POLL_TIMEOUT.read(source),
                GROUP_PROTOCOL.read(source),
                GROUP_ASSIGNOR.read(source),
                CREATE_TOPICS.read(source),
                TOPIC_PARTITIONS.read(source),
                TOPIC_REPLICATION.read(source),
                TOPIC_MIN_INSYNC_REPLICAS.read(source),
                HTTP_ENABLED.read(source),
                HTTP_HOST.read(source),
                HTTP_PORT.read(source),
                OpsServer.MANAGEMENT_PORT.readOptional(source).orElse(null),
                KafkaSettings.from(source),
                registry(source),
                TopicNames.from(source),
                LlmConfig.from(source),
                ResilienceConfig.from(source),
                Clock.systemUTC());
    }

    /** This worker's {@code transactional.id}: {@code <prefix or group id>-<workerId>}. */
    public String transactionalId() {
        return (transactionalIdPrefix != null ? transactionalIdPrefix : groupId) + "-" + workerId;
    }

    /** A builder starting from the defaults, as {@code from(ConfigSource.empty())} reads them. */
    public static Builder builder() {
        return from(ConfigSource.empty()).toBuilder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
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
            return SchemaRegistryKeys.from(source);
        } catch (org.apache.kafka.common.config.ConfigException | IllegalArgumentException e) {
            throw ConfigException.invalid(SchemaRegistryKeys.URL.name(), SchemaRegistryKeys.URL.read(source), e.getMessage());
        }
    }

    /** Retry tiers are ordered: a later tier never waits less than an earlier one. */
    private static boolean nonDecreasing(List<Duration> delays) {
        for (int i = 1; i < delays.size(); i++) {
            if (delays.get(i).compareTo(delays.get(i - 1)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link WorkerConfig}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private String groupId;
        private String workerId;
        private int partitionConcurrency;
        private int maxInFlight;
        private int bufferPerPartition;
        private int maxUncommitted;
        private int maxAttempts;
        private List<Duration> retryDelays;
        private int localRetries;
        private Duration localRetryDelay;
        private Duration revokeTimeout;
        private Duration shutdownGrace;
        private Duration rebalanceStuckAfter;
        private Duration commitInterval;
        private Duration statusInterval;
        private boolean transactions;
        private boolean publishStates;
        private @Nullable String transactionalIdPrefix;
        private int maxCrashStarts;
        private int offsetMetadataMaxBytes;
        private Duration idempotencyWindow;
        private int idempotencyMaxKeys;
        private Duration jobStatusRetention;
        private int cancellationsMaxKeys;
        private Duration pollTimeout;
        private GroupProtocol groupProtocol;
        private String groupAssignor;
        private boolean createTopics;
        private int topicPartitions;
        private int topicReplication;
        private int topicMinInSyncReplicas;
        private boolean httpEnabled;
        private String httpHost;
        private int httpPort;
        private @Nullable Integer managementPort;
        private KafkaSettings kafka;
        private RegistryConfig registry;
        private TopicNames topics;
        private LlmConfig llm;
        private ResilienceConfig resilience;
        private Clock clock;

        private Builder(WorkerConfig from) {
            groupId = from.groupId;
            workerId = from.workerId;
            partitionConcurrency = from.partitionConcurrency;
            maxInFlight = from.maxInFlight;
            bufferPerPartition = from.bufferPerPartition;
            maxUncommitted = from.maxUncommitted;
            maxAttempts = from.maxAttempts;
            retryDelays = from.retryDelays;
            localRetries = from.localRetries;
            localRetryDelay = from.localRetryDelay;
            revokeTimeout = from.revokeTimeout;
            shutdownGrace = from.shutdownGrace;
            rebalanceStuckAfter = from.rebalanceStuckAfter;
            commitInterval = from.commitInterval;
            statusInterval = from.statusInterval;
            transactions = from.transactions;
            publishStates = from.publishStates;
            transactionalIdPrefix = from.transactionalIdPrefix;
            maxCrashStarts = from.maxCrashStarts;
            offsetMetadataMaxBytes = from.offsetMetadataMaxBytes;
            idempotencyWindow = from.idempotencyWindow;
            idempotencyMaxKeys = from.idempotencyMaxKeys;
            jobStatusRetention = from.jobStatusRetention;
            cancellationsMaxKeys = from.cancellationsMaxKeys;
            pollTimeout = from.pollTimeout;
            groupProtocol = from.groupProtocol;
            groupAssignor = from.groupAssignor;
            createTopics = from.createTopics;
            topicPartitions = from.topicPartitions;
            topicReplication = from.topicReplication;
            topicMinInSyncReplicas = from.topicMinInSyncReplicas;
            httpEnabled = from.httpEnabled;
            httpHost = from.httpHost;
            httpPort = from.httpPort;
            managementPort = from.managementPort;
            kafka = from.kafka;
            registry = from.registry;
            topics = from.topics;
            llm = from.llm;
            resilience = from.resilience;
            clock = from.clock;
        }

        public Builder groupId(String value) {
            groupId = value;
            return this;
        }

        public Builder workerId(String value) {
            workerId = value;
            return this;
        }

        public Builder partitionConcurrency(int value) {
            partitionConcurrency = value;
            return this;
        }

        public Builder maxInFlight(int value) {
            maxInFlight = value;
            return this;
        }

        public Builder bufferPerPartition(int value) {
            bufferPerPartition = value;
            return this;
        }

        public Builder maxUncommitted(int value) {
            maxUncommitted = value;
            return this;
        }

        public Builder maxAttempts(int value) {
            maxAttempts = value;
            return this;
        }

        public Builder retryDelays(List<Duration> value) {
            retryDelays = value;
            return this;
        }

        public Builder localRetries(int value) {
            localRetries = value;
            return this;
        }

        public Builder localRetryDelay(Duration value) {
            localRetryDelay = value;
            return this;
        }

        public Builder revokeTimeout(Duration value) {
            revokeTimeout = value;
            return this;
        }

        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        public Builder rebalanceStuckAfter(Duration value) {
            rebalanceStuckAfter = value;
            return this;
        }

        public Builder commitInterval(Duration value) {
            commitInterval = value;
            return this;
        }

        public Builder statusInterval(Duration value) {
            statusInterval = value;
            return this;
        }

        public Builder publishStates(boolean value) {
            publishStates = value;
            return this;
        }

        public Builder transactions(boolean value) {
            transactions = value;
            return this;
        }

        /** Null: the group id. */
        public Builder transactionalIdPrefix(@Nullable String value) {
            transactionalIdPrefix = value;
            return this;
        }

        public Builder offsetMetadataMaxBytes(int value) {
            offsetMetadataMaxBytes = value;
            return this;
        }

        public Builder idempotencyWindow(Duration value) {
            idempotencyWindow = value;
            return this;
        }

        public Builder jobStatusRetention(Duration value) {
            jobStatusRetention = value;
            return this;
        }

        public Builder cancellationsMaxKeys(int value) {
            cancellationsMaxKeys = value;
            return this;
        }

        public Builder idempotencyMaxKeys(int value) {
            idempotencyMaxKeys = value;
            return this;
        }

        public Builder maxCrashStarts(int value) {
            maxCrashStarts = value;
            return this;
        }

        public Builder pollTimeout(Duration value) {
            pollTimeout = value;
            return this;
        }

        public Builder groupProtocol(GroupProtocol value) {
            groupProtocol = value;
            return this;
        }

        public Builder groupAssignor(String value) {
            groupAssignor = value;
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

        public Builder topicReplication(int value) {
            topicReplication = value;
            return this;
        }

        public Builder topicMinInSyncReplicas(int value) {
            topicMinInSyncReplicas = value;
            return this;
        }

        public Builder httpEnabled(boolean value) {
            httpEnabled = value;
            return this;
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

        public Builder llm(LlmConfig value) {
            llm = value;
            return this;
        }

        public Builder resilience(ResilienceConfig value) {
            resilience = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public WorkerConfig build() {
            return new WorkerConfig(groupId, workerId, partitionConcurrency, maxInFlight, bufferPerPartition,
                    maxUncommitted, maxAttempts, retryDelays, localRetries, localRetryDelay, revokeTimeout, shutdownGrace,
                    rebalanceStuckAfter, commitInterval, statusInterval, transactions, publishStates, transactionalIdPrefix, maxCrashStarts, offsetMetadataMaxBytes, idempotencyWindow,
                    idempotencyMaxKeys, jobStatusRetention, cancellationsMaxKeys, pollTimeout,
                    groupProtocol, groupAssignor, createTopics, topicPartitions, topicReplication, topicMinInSyncReplicas, httpEnabled, httpHost, httpPort, managementPort, kafka, registry, topics, llm, resilience, clock);
        }
    }
}
