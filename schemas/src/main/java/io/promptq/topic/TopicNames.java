package io.promptq.topic;

import io.promptq.config.ConfigException;
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

    /** Env key: the jobs topic. */
    public static final String JOBS = "PROMPTQ_TOPIC_JOBS";
    /** Env key: prefix of the retry tier topics. */
    public static final String RETRY_PREFIX = "PROMPTQ_TOPIC_RETRY_PREFIX";
    /** Env key: the dead-letter topic. */
    public static final String DEAD_LETTERS = "PROMPTQ_TOPIC_DLQ";
    /** Env key: the results topic. */
    public static final String RESULTS = "PROMPTQ_TOPIC_RESULTS";
    /** Env key: the all-time aggregates topic (compacted). */
    public static final String TOTALS = "PROMPTQ_TOPIC_STATS_TOTALS";
    /** Env key: the windowed aggregates topic. */
    public static final String WINDOWS = "PROMPTQ_TOPIC_STATS_WINDOWS";

    public static final String DEFAULT_JOBS = "promptq.jobs";
    public static final String DEFAULT_RETRY_PREFIX = "promptq.jobs.retry";
    public static final String DEFAULT_DEAD_LETTERS = "promptq.jobs.dlq";
    public static final String DEFAULT_RESULTS = "promptq.results";
    public static final String DEFAULT_TOTALS = "promptq.stats.totals";
    public static final String DEFAULT_WINDOWS = "promptq.stats.windows";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,200}");

    public TopicNames {
        check(JOBS, jobs);
        check(RETRY_PREFIX, retryPrefix);
        check(DEAD_LETTERS, deadLetters);
        check(RESULTS, results);
        check(TOTALS, totals);
        check(WINDOWS, windows);
    }

    /** The default names. */
    public static TopicNames defaults() {
        return new TopicNames(DEFAULT_JOBS, DEFAULT_RETRY_PREFIX, DEFAULT_DEAD_LETTERS, DEFAULT_RESULTS, DEFAULT_TOTALS, DEFAULT_WINDOWS);
    }

    public static TopicNames from(ConfigSource config) {
        return new TopicNames(
                config.string(JOBS, DEFAULT_JOBS),
                config.string(RETRY_PREFIX, DEFAULT_RETRY_PREFIX),
                config.string(DEAD_LETTERS, DEFAULT_DEAD_LETTERS),
                config.string(RESULTS, DEFAULT_RESULTS),
                config.string(TOTALS, DEFAULT_TOTALS),
                config.string(WINDOWS, DEFAULT_WINDOWS));
    }

    /**
     * These names as configuration entries, the inverse of {@link #from(ConfigSource)}: for handing the same
     * topics to another service (tests, the launcher, benchmarks).
     */
    public Map<String, String> toConfig() {
        return Map.of(JOBS, jobs, RETRY_PREFIX, retryPrefix, DEAD_LETTERS, deadLetters, RESULTS, results,
                TOTALS, totals, WINDOWS, windows);
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

    private static void check(String key, String name) {
        if (name == null || !LEGAL.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            throw ConfigException.invalid(key, name, "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1-200 chars)");
        }
    }
}
