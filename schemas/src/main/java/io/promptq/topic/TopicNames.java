package io.promptq.topic;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names of promptq's topics, configurable so that several deployments can share a cluster.
 *
 * @param jobs prompt jobs from upstream systems ({@value #JOBS}, default {@value #DEFAULT_JOBS})
 * @param retryPrefix prefix of the retry tiers; tier {@code i} (0-based) is {@code <prefix>.<i+1>}
 *     ({@value #RETRY_PREFIX}, default {@value #DEFAULT_RETRY_PREFIX})
 * @param deadLetters jobs that will not be retried and undecodable records ({@value #DEAD_LETTERS},
 *     default {@value #DEFAULT_DEAD_LETTERS})
 * @param results one terminal outcome per job ({@value #RESULTS}, default {@value #DEFAULT_RESULTS})
 * @param totals all-time aggregates, compacted ({@value #TOTALS}, default {@value #DEFAULT_TOTALS})
 * @param windows windowed aggregates ({@value #WINDOWS}, default {@value #DEFAULT_WINDOWS})
 * @param idempotency the idempotency ledger: the first accepted payload of each keyed job, compacted, jobId-keyed
 *     and co-partitioned with the jobs topic ({@value #IDEMPOTENCY}, default the jobs topic's name followed by
 *     {@value #IDEMPOTENCY_SUFFIX}, so {@value #DEFAULT_IDEMPOTENCY} with the default jobs topic)
 */
public record TopicNames(String jobs, String retryPrefix, String deadLetters, String results, String totals, String windows,
        String idempotency) {

    public static final String DEFAULT_JOBS = "promptq.jobs";
    public static final String DEFAULT_RETRY_PREFIX = "promptq.jobs.retry";
    public static final String DEFAULT_DEAD_LETTERS = "promptq.jobs.dlq";
    public static final String DEFAULT_RESULTS = "promptq.results";
    public static final String DEFAULT_TOTALS = "promptq.stats.totals";
    public static final String DEFAULT_WINDOWS = "promptq.stats.windows";
    /** Appended to the jobs topic's name to name the idempotency ledger unless {@link #IDEMPOTENCY} is set. */
    public static final String IDEMPOTENCY_SUFFIX = ".idempotency";
    public static final String DEFAULT_IDEMPOTENCY = DEFAULT_JOBS + IDEMPOTENCY_SUFFIX;

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    /** Env key: the jobs topic. */
    public static final ConfigKey<String> JOBS = topic("PROMPTQ_TOPIC_JOBS", DEFAULT_JOBS);
    /** Env key: prefix of the retry tier topics. */
    public static final ConfigKey<String> RETRY_PREFIX = topic("PROMPTQ_TOPIC_RETRY_PREFIX", DEFAULT_RETRY_PREFIX);
    /** Env key: the dead-letter topic. */
    public static final ConfigKey<String> DEAD_LETTERS = topic("PROMPTQ_TOPIC_DLQ", DEFAULT_DEAD_LETTERS);
    /** Env key: the results topic. */
    public static final ConfigKey<String> RESULTS = topic("PROMPTQ_TOPIC_RESULTS", DEFAULT_RESULTS);
    /** Env key: the all-time aggregates topic (compacted). */
    public static final ConfigKey<String> TOTALS = topic("PROMPTQ_TOPIC_STATS_TOTALS", DEFAULT_TOTALS);
    /** Env key: the windowed aggregates topic. */
    public static final ConfigKey<String> WINDOWS = topic("PROMPTQ_TOPIC_STATS_WINDOWS", DEFAULT_WINDOWS);
    /**
     * Env key: the idempotency ledger; its default follows the jobs topic ({@code <jobs>}{@value #IDEMPOTENCY_SUFFIX}),
     * so deployments that share a cluster under different jobs topics get different ledgers.
     */
    public static final ConfigKey<String> IDEMPOTENCY = legal(ConfigKey.text("PROMPTQ_TOPIC_IDEMPOTENCY"));

    public TopicNames {
        JOBS.check(jobs);
        RETRY_PREFIX.check(retryPrefix);
        DEAD_LETTERS.check(deadLetters);
        RESULTS.check(results);
        TOTALS.check(totals);
        WINDOWS.check(windows);
        IDEMPOTENCY.check(idempotency);
    }

    /** These names with the idempotency ledger named after the jobs topic ({@code <jobs>}{@value #IDEMPOTENCY_SUFFIX}). */
    public TopicNames(String jobs, String retryPrefix, String deadLetters, String results, String totals, String windows) {
        this(jobs, retryPrefix, deadLetters, results, totals, windows, jobs + IDEMPOTENCY_SUFFIX);
    }

    /** The default names. */
    public static TopicNames defaults() {
        return new TopicNames(DEFAULT_JOBS, DEFAULT_RETRY_PREFIX, DEFAULT_DEAD_LETTERS, DEFAULT_RESULTS, DEFAULT_TOTALS,
                DEFAULT_WINDOWS, DEFAULT_IDEMPOTENCY);
    }

    public static TopicNames from(ConfigSource config) {
        String jobs = JOBS.read(config);
        return new TopicNames(
                jobs,
                RETRY_PREFIX.read(config),
                DEAD_LETTERS.read(config),
                RESULTS.read(config),
                TOTALS.read(config),
                WINDOWS.read(config),
                IDEMPOTENCY.readOptional(config).orElse(jobs + IDEMPOTENCY_SUFFIX));
    }

    /**
     * These names as configuration entries, the inverse of {@link #from(ConfigSource)}: for handing the same
     * topics to another service (tests, the launcher, benchmarks).
     */
    public Map<String, String> toConfig() {
        return Map.of(JOBS.name(), jobs, RETRY_PREFIX.name(), retryPrefix, DEAD_LETTERS.name(), deadLetters,
                RESULTS.name(), results, TOTALS.name(), totals, WINDOWS.name(), windows, IDEMPOTENCY.name(), idempotency);
    }

    /** Appended to the jobs topic's name to name the status topic. */
    public static final String STATUS_SUFFIX = ".status";
    /** Appended to the jobs topic's name to name the cancellations topic. */
    public static final String CANCELLATIONS_SUFFIX = ".cancellations";
    /** Appended to the jobs topic's name to name the workers' status topic. */
    public static final String WORKERS_SUFFIX = ".workers";
    /** Appended to the results topic's name to name the webhooks' dead-letter topic. */
    public static final String WEBHOOK_DEAD_LETTERS_SUFFIX = ".webhooks-dlq";
    /** Appended to the dead-letter topic's name to name the console's audit topic. */
    public static final String CONSOLE_AUDIT_SUFFIX = ".audit";
    /** Appended to the dead-letter topic's name to name the console's dead-letter marks topic. */
    public static final String DEAD_LETTER_MARKS_SUFFIX = ".marks";

    /** Appended to the jobs topic's name to name the batches topic. */
    public static final String BATCHES_SUFFIX = ".batches";
    /** Appended to the jobs topic's name to name the files topic. */
    public static final String FILES_SUFFIX = ".files";
    /** Appended to the files topic's name to name the file index topic. */
    public static final String FILE_INDEX_SUFFIX = ".index";

    /**
     * The batches topic ({@code <jobs>}{@value #BATCHES_SUFFIX}): the steps of OpenAI-compatible batches
     * ({@code BatchEvent}), batch-id-keyed.
     */
    public String batches() {
        return jobs + BATCHES_SUFFIX;
    }

    /**
     * The files topic ({@code <jobs>}{@value #FILES_SUFFIX}): the bytes of stored files as chunks
     * ({@code FileChunk}), file-id-keyed.
     */
    public String files() {
        return jobs + FILES_SUFFIX;
    }

    /**
     * The file index ({@code <jobs>.files}{@value #FILE_INDEX_SUFFIX}): each stored file's metadata and where its
     * chunks are ({@code FileInfo}), compacted, file-id-keyed.
     */
    public String fileIndex() {
        return files() + FILE_INDEX_SUFFIX;
    }

    /** The console's audit topic ({@code <deadLetters>}{@value #CONSOLE_AUDIT_SUFFIX}): one record per redrive or purge. */
    public String consoleAudit() {
        return deadLetters + CONSOLE_AUDIT_SUFFIX;
    }

    /**
     * The console's dead-letter marks ({@code <deadLetters>}{@value #DEAD_LETTER_MARKS_SUFFIX}), compacted, keyed by
     * dead-letter id: which dead letters were redriven or purged.
     */
    public String deadLetterMarks() {
        return deadLetters + DEAD_LETTER_MARKS_SUFFIX;
    }

    /**
     * The status topic ({@code <jobs>}{@value #STATUS_SUFFIX}): jobs' non-terminal state changes, compacted,
     * jobId-keyed. Named after the jobs topic so that deployments sharing a cluster stay apart.
     */
    public String status() {
        return jobs + STATUS_SUFFIX;
    }

    /** The cancellations topic ({@code <jobs>}{@value #CANCELLATIONS_SUFFIX}): cancel requests, compacted, jobId-keyed. */
    public String cancellations() {
        return jobs + CANCELLATIONS_SUFFIX;
    }

    /**
     * The workers' status topic ({@code <jobs>}{@value #WORKERS_SUFFIX}): each worker replica's latest status for the
     * console, compacted, workerId-keyed.
     */
    public String workers() {
        return jobs + WORKERS_SUFFIX;
    }

    /** The webhooks' dead-letter topic ({@code <results>}{@value #WEBHOOK_DEAD_LETTERS_SUFFIX}): callbacks given up on. */
    public String webhookDeadLetters() {
        return results + WEBHOOK_DEAD_LETTERS_SUFFIX;
    }

    /** The name of retry tier {@code tier} (0-based). */
    public String retry(int tier) {
        if (tier < 0) {
            throw new IllegalArgumentException("tier must be >= 0, but was " + tier);
        }
        return retryPrefix + "." + (tier + 1);
    }

    /** The names of the first {@code tiers} retry tiers. */
    public List<String> retries(int tiers) {
        List<String> names = new ArrayList<>(tiers);
        for (int i = 0; i < tiers; i++) {
            names.add(retry(i));
        }
        return names;
    }

    /** A topic-name key: a legal Kafka topic name. */
    private static ConfigKey<String> topic(String name, String defaultValue) {
        return legal(ConfigKey.text(name, defaultValue));
    }

    private static ConfigKey<String> legal(ConfigKey<String> key) {
        return key.and(
                topic -> LEGAL.matcher(topic).matches() && !topic.equals(".") && !topic.equals(".."),
                "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1-200 chars)");
    }
}
