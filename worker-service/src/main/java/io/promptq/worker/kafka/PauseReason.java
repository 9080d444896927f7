package io.promptq.worker.kafka;

import java.util.Locale;

/** Why the worker stopped fetching a partition. Exposed as a metric tag. */
public enum PauseReason {
    /** All of the partition's permits (PROMPTQ_WORKER_PARTITION_CONCURRENCY) are taken, or its buffer is full. */
    PERMITS,
    /** The worker-wide cap (PROMPTQ_WORKER_MAX_IN_FLIGHT) is reached and the partition's buffer is full. */
    WORKER_CAP,
    /** A provider model's circuit breaker is open: intake waits instead of failing jobs into retries. */
    BREAKER,
    /** Calls are waiting for a spent rate limit: intake slows instead of piling up waiting jobs. */
    RATE_LIMIT,
    /** Every buffered record of a retry partition is not yet due; resumes at the earliest due time. */
    RETRY_NOT_DUE,
    /**
     * Too many records of the partition are finished but not committable because an older one is still
     * running (PROMPTQ_WORKER_MAX_UNCOMMITTED): bounds memory when one job is stuck.
     */
    UNCOMMITTED_LIMIT,
    /**
     * A jobs partition was just assigned and its idempotency state (which keyed jobs it has seen) is being
     * restored from the ledger: its records are held, not started, until it is.
     */
    RESTORING,
    /**
     * Finished jobs' outputs cannot be published for a fault of the system (topic or transactional id not
     * authorized, credentials refused, producer unusable): intake waits, the outputs are kept and published again
     * with backoff, and intake resumes once that works.
     */
    PUBLISH_FAILING,
    /** The worker is shutting down. */
    SHUTDOWN;

    /** Lower-case tag value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
