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
 */
public record TopicNames(String jobs, String retryPrefix, String deadLetters, String results, String totals, String windows) {

    public static final String DEFAULT_JOBS = "promptq.jobs";
    public static final String DEFAULT_RETRY_PREFIX = "promptq.jobs.retry";
    public static final String DEFAULT_DEAD_LETTERS = "promptq.jobs.dlq";
    public static final String DEFAULT_RESULTS = "promptq.results";
    public static final String DEFAULT_TOTALS = "promptq.stats.totals";
    public static final String DEFAULT_WINDOWS = "promptq.stats.windows";

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

    public TopicNames {
        JOBS.check(jobs);
        RETRY_PREFIX.check(retryPrefix);
        DEAD_LETTERS.check(deadLetters);
        RESULTS.check(results);
        TOTALS.check(totals);
        WINDOWS.check(windows);
    }

    /** The default names. */
    public static TopicNames defaults() {
        return new TopicNames(DEFAULT_JOBS, DEFAULT_RETRY_PREFIX, DEFAULT_DEAD_LETTERS, DEFAULT_RESULTS, DEFAULT_TOTALS, DEFAULT_WINDOWS);
    }

    public static TopicNames from(ConfigSource config) {
        return new TopicNames(
                JOBS.read(config),
                RETRY_PREFIX.read(config),
                DEAD_LETTERS.read(config),
                RESULTS.read(config),
                TOTALS.read(config),
                WINDOWS.read(config));
    }

    /**
     * These names as configuration entries, the inverse of {@link #from(ConfigSource)}: for handing the same
     * topics to another service (tests, the launcher, benchmarks).
     */
    public Map<String, String> toConfig() {
        return Map.of(JOBS.name(), jobs, RETRY_PREFIX.name(), retryPrefix, DEAD_LETTERS.name(), deadLetters,
                RESULTS.name(), results, TOTALS.name(), totals, WINDOWS.name(), windows);
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
        return ConfigKey.text(name, defaultValue).and(
                topic -> LEGAL.matcher(topic).matches() && !topic.equals(".") && !topic.equals(".."),
                "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1-200 chars)");
    }
}
