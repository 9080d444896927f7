package io.promptq.worker.metrics;

/**
 * Names and tags of the worker's meters, in one place. Every meter carries {@value #TAG_WORKER}, so that several
 * workers can share one registry (the launcher runs three in one JVM). Related meters registered elsewhere:
 * {@code promptq.llm.call} (provider latency by outcome), {@code resilience4j.circuitbreaker.state},
 * {@code promptq.llm.breaker.waits}, {@code promptq.llm.ratelimit.waits} (llm module) and
 * {@code kafka.consumer.*} / {@code kafka.producer.*} (Kafka client metrics, e.g.
 * {@code kafka.consumer.fetch.manager.records.lag.max} for consumer lag).
 */
public final class WorkerMetricNames {

    /** Gauge: jobs running on the worker. */
    public static final String JOBS_IN_FLIGHT = "promptq.worker.jobs.in.flight";
    /** Gauge: worker-wide permits not taken (the cap minus the jobs in flight). */
    public static final String PERMITS_FREE = "promptq.worker.permits.free";
    /** Gauge: fetched records waiting in the partition buffers of the worker. */
    public static final String RECORDS_BUFFERED = "promptq.worker.records.buffered";
    /** Gauge: jobs running of one assigned partition ({@value #TAG_TOPIC}, {@value #TAG_PARTITION}). */
    public static final String PARTITION_JOBS_IN_FLIGHT = "promptq.worker.partition.jobs.in.flight";
    /** Gauge: permits not taken of one assigned partition. */
    public static final String PARTITION_PERMITS_FREE = "promptq.worker.partition.permits.free";
    /** Gauge: fetched records waiting in one partition's buffer. */
    public static final String PARTITION_RECORDS_BUFFERED = "promptq.worker.partition.records.buffered";
    /** Gauge: partitions assigned. */
    public static final String PARTITIONS_ASSIGNED = "promptq.worker.partitions.assigned";
    /** Gauge: partitions paused, by {@value #TAG_REASON} (permits, worker_cap, breaker, rate_limit, retry_not_due...). */
    public static final String PARTITIONS_PAUSED = "promptq.worker.partitions.paused";
    /** Counter: records fetched. */
    public static final String RECORDS_FETCHED = "promptq.worker.records.fetched";
    /** Counter: running jobs abandoned at a revocation or stop (they are redelivered to the new owner). */
    public static final String JOBS_ABANDONED = "promptq.worker.jobs.abandoned";
    /**
     * Counter: commits of finished work (outputs and offsets) that failed, by {@value #TAG_REASON} (rebalance,
     * timeout, other); what they held stays pending and is committed later or redone by the partition's next owner.
     */
    public static final String COMMIT_FAILURES = "promptq.worker.commit.failures";
    /** Gauge: seconds this worker has been in the current rebalance (fetching nothing), 0 when none. */
    public static final String REBALANCE_SECONDS = "promptq.worker.rebalance.seconds";
    /** Counter: fetched records skipped because an earlier owner of the partition had finished them. */
    public static final String RECORDS_SKIPPED_FINISHED = "promptq.worker.records.skipped.finished";
    /**
     * Counter: later copies of keyed jobs dropped without a provider call (the same idempotency key within the
     * window), by {@value #TAG_CONFLICT} ({@code true}: the copy's payload differs from the first's).
     */
    public static final String JOBS_DUPLICATES = "promptq.worker.jobs.duplicates";
    /** Counter: keyed jobs forgotten because a partition held PROMPTQ_WORKER_IDEMPOTENCY_MAX_KEYS of them. */
    public static final String IDEMPOTENCY_EVICTED = "promptq.worker.idempotency.evicted";
    /** Counter: terminal outcomes published, by {@value #TAG_STATUS} (succeeded, dead_lettered, expired). */
    public static final String OUTCOMES = "promptq.worker.outcomes";
    /** Counter: retries published to a retry topic, by {@value #TAG_TIER} (0-based). */
    public static final String RETRIES = "promptq.worker.retries";
    /** Counter: dead letters published, by {@value #TAG_REASON} (permanent_error, max_attempts, undecodable, publish_failed). */
    public static final String DEAD_LETTERS = "promptq.worker.dead.letters";
    /** Counter: RUNNING job states not written to the status topic (write failed, or the topic is not available). */
    public static final String STATES_NOT_WRITTEN = "promptq.worker.states.not.written";
    /** Timer: how late a retried job started after its due time. */
    public static final String RETRY_LATENESS = "promptq.worker.retry.lateness";
    /** Timer: handling of one record, from start to acknowledged outcome. */
    public static final String JOB_DURATION = "promptq.worker.job.duration";

    /** Cancel requests by what they did ({@code outcome}: queued, running, too_late, other_tenant). */
    public static final String CANCELLATIONS = "promptq.worker.cancellations";
    public static final String TAG_WORKER = "worker";
    public static final String TAG_TOPIC = "topic";
    public static final String TAG_PARTITION = "partition";
    public static final String TAG_REASON = "reason";
    public static final String TAG_STATUS = "status";
    public static final String TAG_TIER = "tier";
    public static final String TAG_CONFLICT = "conflict";
    public static final String TAG_OUTCOME = "outcome";

    private WorkerMetricNames() {}
}
