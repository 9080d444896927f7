package io.promptq.topic;

import io.promptq.kafka.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The shape of every promptq topic, defined once for whoever creates it first: a worker, the producer, the
 * aggregator or the launcher's local stack. Partitions and replication come from the creator's settings; the
 * topic-level configuration does not depend on the creator: the totals topic is compacted (one live record per
 * scope), the windows topic is compacted and deleted after the aggregator's window retention, the idempotency
 * ledger is compacted and deleted after the idempotency window, and the others keep the broker's defaults.
 * Immutable.
 *
 * @param names the topic names
 * @param partitions partitions of each topic
 * @param replication replication factor; empty: the broker's default
 */
public record TopicSpecs(TopicNames names, int partitions, Optional<Short> replication) {

    /** Cleanup policy of the windows topic: compacted, and deleted after its retention. */
    public static final String WINDOWS_CLEANUP_POLICY =
            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE;

    public TopicSpecs {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(replication, "replication");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, but was " + partitions);
        }
    }

    /** Specs for {@code names} with {@code partitions} partitions and the broker's default replication. */
    public static TopicSpecs of(TopicNames names, int partitions) {
        return new TopicSpecs(names, partitions, Optional.empty());
    }

    /** Prompt jobs. */
    public TopicSpec jobs() {
        return plain(names.jobs());
    }

    /** Retry tier {@code tier} (0-based). */
    public TopicSpec retry(int tier) {
        return plain(names.retry(tier));
    }

    /** The first {@code tiers} retry tiers. */
    public List<TopicSpec> retries(int tiers) {
        return names.retries(tiers).stream().map(this::plain).toList();
    }

    /** Dead letters. */
    public TopicSpec deadLetters() {
        return plain(names.deadLetters());
    }

    /** Terminal outcomes. */
    public TopicSpec results() {
        return plain(names.results());
    }

    /** All-time aggregates: compacted, one live record per scope. */
    public TopicSpec totals() {
        return plain(names.totals()).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * Windowed aggregates: compacted, and deleted once older than {@code retention}, the aggregator's window
     * retention (whoever creates the topic must pass the aggregator's value).
     */
    public TopicSpec windows(Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive, but was " + retention);
        }
        return plain(names.windows())
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, WINDOWS_CLEANUP_POLICY)
                .withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    /**
     * The idempotency ledger: compacted (one live entry per jobId) and deleted once older than {@code window}, the
     * idempotency window ({@link Idempotency#WINDOW}). It has the jobs topic's partitions: both are keyed by jobId
     * with the default partitioner, so a job's entry lands in the partition with the same number as its record.
     */
    public TopicSpec idempotency(Duration window) {
        Idempotency.WINDOW.check(window);
        return plain(names.idempotency())
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, WINDOWS_CLEANUP_POLICY)
                .withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(window.toMillis()));
    }

    /** The topics a submitter needs: jobs and the idempotency ledger it reads, kept for {@code idempotencyWindow}. */
    public List<TopicSpec> submitter(Duration idempotencyWindow) {
        return List.of(jobs(), idempotency(idempotencyWindow));
    }

    /** The topics a worker reads and writes: jobs, {@code retryTiers} retry tiers, dead letters and results. */
    public List<TopicSpec> worker(int retryTiers) {
        List<TopicSpec> specs = new ArrayList<>();
        specs.add(jobs());
        specs.addAll(retries(retryTiers));
        specs.add(deadLetters());
        specs.add(results());
        return specs;
    }

    /** The topics the aggregator reads and writes: results, totals and windows. */
    public List<TopicSpec> aggregator(Duration windowRetention) {
        return List.of(results(), totals(), windows(windowRetention));
    }

    /** Every promptq topic. */
    public List<TopicSpec> all(int retryTiers, Duration windowRetention, Duration idempotencyWindow) {
        List<TopicSpec> specs = new ArrayList<>(worker(retryTiers));
        specs.add(idempotency(idempotencyWindow));
        specs.add(totals());
        specs.add(windows(windowRetention));
        return specs;
    }

    private TopicSpec plain(String name) {
        return TopicSpec.of(name, partitions, replication);
    }
}
