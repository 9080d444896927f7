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
 * ledger is compacted and deleted after the idempotency window, the retry tiers keep their records well past
 * the longest delay a record can wait there ({@link #retryRetention}), and the others keep the broker's
 * default cleanup. Replication and {@code min.insync.replicas} are explicit on every topic: the creator's
 * values, else {@code min(3, brokers)} and {@code min(2, replication)} ({@link TopicSpec#explicitFor}).
 * Immutable.
 *
 * @param names the topic names
 * @param partitions partitions of each topic
 * @param replication replication factor; empty: {@code min(3, brokers)} at creation
 * @param minInSyncReplicas {@code min.insync.replicas} of each topic; empty: {@code min(2, replication)} at creation
 */
public record TopicSpecs(TopicNames names, int partitions, Optional<Short> replication,
        Optional<Integer> minInSyncReplicas) {

    /** Shortest retention of a retry tier, whatever its delays: a week to notice and repair a stopped worker. */
    public static final Duration MIN_RETRY_RETENTION = Duration.ofDays(7);
    /** Retention of a retry tier as a multiple of the longest delay a record waits there, when that is longer. */
    public static final int RETRY_RETENTION_DELAY_FACTOR = 10;

    /** Cleanup policy of the windows topic: compacted, and deleted after its retention. */
    public static final String WINDOWS_CLEANUP_POLICY =
            TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE;

    public TopicSpecs {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(replication, "replication");
        Objects.requireNonNull(minInSyncReplicas, "minInSyncReplicas");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, but was " + partitions);
        }
        minInSyncReplicas.ifPresent(m -> {
            if (m < 1 || m > replication.map(Short::intValue).orElse(Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("minInSyncReplicas must be between 1 and the replication factor "
                        + replication.map(String::valueOf).orElse("") + ", but was " + m);
            }
        });
    }

    /** Specs with the creator's {@code replication} and the default {@code min.insync.replicas}. */
    public TopicSpecs(TopicNames names, int partitions, Optional<Short> replication) {
        this(names, partitions, replication, Optional.empty());
    }

    /** Specs for {@code names} with {@code partitions} partitions and the default replication. */
    public static TopicSpecs of(TopicNames names, int partitions) {
        return new TopicSpecs(names, partitions, Optional.empty());
    }

    /** Prompt jobs. */
    public TopicSpec jobs() {
        return plain(names.jobs());
    }

    /**
     * Retry tier {@code tier} (0-based), kept for {@link #retryRetention retryRetention(longestDelay)}, where
     * {@code longestDelay} is the longest a record can wait in a tier: the longest tier delay or the longest
     * honoured provider {@code Retry-After}, whichever is longer.
     */
    public TopicSpec retry(int tier, Duration longestDelay) {
        return retryTier(names.retry(tier), retryRetention(longestDelay));
    }

    /** The first {@code tiers} retry tiers, each as {@link #retry(int, Duration)}. */
    public List<TopicSpec> retries(int tiers, Duration longestDelay) {
        Duration retention = retryRetention(longestDelay);
        return names.retries(tiers).stream().map(name -> retryTier(name, retention)).toList();
    }

    /**
     * Retention of a retry tier whose records wait at most {@code longestDelay}: {@code max(7 days, 10 ×
     * longestDelay)}, so a record is never deleted before it is due, even after a long worker outage.
     */
    public static Duration retryRetention(Duration longestDelay) {
        if (longestDelay.isNegative()) {
            throw new IllegalArgumentException("longestDelay must not be negative, but was " + longestDelay);
        }
        Duration scaled = longestDelay.multipliedBy(RETRY_RETENTION_DELAY_FACTOR);
        return scaled.compareTo(MIN_RETRY_RETENTION) > 0 ? scaled : MIN_RETRY_RETENTION;
    }

    private TopicSpec retryTier(String name, Duration retention) {
        return plain(name).withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
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

    /**
     * The status topic: compacted (the latest change per job is enough to answer a status query after the
     * aggregator's store is rebuilt) and deleted once older than {@code retention}, how long job views are kept.
     */
    public TopicSpec status(Duration retention) {
        return compactedFor(names.status(), retention);
    }

    /**
     * The cancellations topic: compacted and deleted once older than {@code retention}, which must outlast the
     * longest a job can wait (its deadline, or the retry tiers' delays), or a late worker would run a cancelled job.
     */
    public TopicSpec cancellations(Duration retention) {
        return compactedFor(names.cancellations(), retention);
    }

    /** How long a stopped worker's last status stays in the workers topic when it left no tombstone (it died). */
    public static final Duration WORKERS_RETENTION = Duration.ofHours(1);

    /**
     * The workers' status topic: one partition (a few records a second in all), compacted (the latest status per
     * worker is the view) and deleted after {@link #WORKERS_RETENTION}, so a dead worker's record goes away, with
     * 10-minute segments so that compaction and deletion can reach it.
     */
    public TopicSpec workers() {
        TopicSpec spec = TopicSpec.of(names.workers(), 1, replication)
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, WINDOWS_CLEANUP_POLICY)
                .withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(WORKERS_RETENTION.toMillis()))
                .withConfig(TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofMinutes(10).toMillis()));
        return minInSyncReplicas.map(m -> spec.withConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(m)))
                .orElse(spec);
    }

    /** Callbacks given up on after their last attempt. */
    public TopicSpec webhookDeadLetters() {
        return plain(names.webhookDeadLetters());
    }

    /** The console's audit records: kept like the dead letters they describe. */
    public TopicSpec consoleAudit() {
        return plain(names.consoleAudit());
    }

    /** The console's dead-letter marks: compacted, one live mark per dead letter. */
    public TopicSpec deadLetterMarks() {
        return plain(names.deadLetterMarks()).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * The console's topics: the workers' statuses, the audit of redrives and purges, and the dead-letter marks (the
     * aggregator reads the marks from the start: it cannot start without that topic). Whoever provisions topics for
     * the services (the local stack, the benchmarks) provisions these too.
     */
    public List<TopicSpec> console() {
        return List.of(workers(), consoleAudit(), deadLetterMarks());
    }

    /** How much longer than the files live the files topic keeps their chunks. */
    public static final Duration FILES_RETENTION_MARGIN = Duration.ofDays(1);

    /**
     * The batches topic: the steps of each batch, kept for {@code retention} (how long batches are kept); the
     * aggregator's state of a batch is built from them.
     */
    public TopicSpec batches(Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention of batches must be positive, but was " + retention);
        }
        return plain(names.batches()).withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    /**
     * The files topic: the chunks of stored files, kept a day longer than
     * {@code fileRetention}, the longest a file lives, so that no file's bytes go before the file does.
     */
    public TopicSpec files(Duration fileRetention) {
        if (fileRetention.isNegative() || fileRetention.isZero()) {
            throw new IllegalArgumentException("retention of files must be positive, but was " + fileRetention);
        }
        return plain(names.files()).withConfig(TopicConfig.RETENTION_MS_CONFIG,
                Long.toString(fileRetention.plus(FILES_RETENTION_MARGIN).toMillis()));
    }

    /** The file index: compacted, one live record per file; a tombstone deletes a file. */
    public TopicSpec fileIndex() {
        return plain(names.fileIndex()).withConfig(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT);
    }

    /**
     * The topics of the Batch API: batches (kept {@code batchRetention}), files (chunks kept past
     * {@code fileRetention}) and the file index. The producer and the aggregator both provision them.
     */
    public List<TopicSpec> batchApi(Duration fileRetention, Duration batchRetention) {
        return List.of(batches(batchRetention), files(fileRetention), fileIndex());
    }

    /**
     * The lifecycle topics, status and cancellations, kept for {@code retention} ({@link JobLifecycle#RETENTION}):
     * every service that writes or reads either provisions both.
     */
    public List<TopicSpec> lifecycle(Duration retention) {
        return List.of(status(retention), cancellations(retention));
    }

    private TopicSpec compactedFor(String name, Duration retention) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention of " + name + " must be positive, but was " + retention);
        }
        return plain(name)
                .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, WINDOWS_CLEANUP_POLICY)
                .withConfig(TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }

    /** The topics a submitter needs: jobs and the idempotency ledger it reads, kept for {@code idempotencyWindow}. */
    public List<TopicSpec> submitter(Duration idempotencyWindow) {
        return List.of(jobs(), idempotency(idempotencyWindow));
    }

    /**
     * The topics a worker reads and writes: jobs, {@code retryTiers} retry tiers (see {@link #retry(int,
     * Duration)} for {@code longestRetryDelay}), dead letters and results.
     */
    public List<TopicSpec> worker(int retryTiers, Duration longestRetryDelay) {
        List<TopicSpec> specs = new ArrayList<>();
        specs.add(jobs());
        specs.addAll(retries(retryTiers, longestRetryDelay));
        specs.add(deadLetters());
        specs.add(results());
        return specs;
    }

    /** The topics the aggregator reads and writes: results, totals and windows. */
    public List<TopicSpec> aggregator(Duration windowRetention) {
        return List.of(results(), totals(), windows(windowRetention));
    }

    /** Every promptq topic. */
    public List<TopicSpec> all(int retryTiers, Duration longestRetryDelay, Duration windowRetention,
            Duration idempotencyWindow) {
        List<TopicSpec> specs = new ArrayList<>(worker(retryTiers, longestRetryDelay));
        specs.add(idempotency(idempotencyWindow));
        specs.add(totals());
        specs.add(windows(windowRetention));
        return specs;
    }

    private TopicSpec plain(String name) {
        TopicSpec spec = TopicSpec.of(name, partitions, replication);
        return minInSyncReplicas.map(m -> spec.withConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(m)))
                .orElse(spec);
    }
}
