package io.promptq.topic;

import io.promptq.config.ConfigKey;
import java.time.Duration;

/**
 * The idempotency window, read by every service that deduplicates keyed jobs: the client library and the
 * producer service (which answer a resubmission from the idempotency ledger) and the worker (which writes the
 * ledger and runs only the first copy of a keyed job). All of them must use the same value.
 *
 * <p>A job submitted again under the same tenant + idempotency key within the window after the first submission
 * is the same job: it is not written or run again, and its submitter gets the first job's id (or a conflict, if
 * the payload differs; see {@link PayloadHash}). After the window the key is free again. The ledger topic keeps
 * its entries for the window ({@link TopicSpecs#idempotency}).
 */
public final class Idempotency {

    public static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    public static final Duration MIN_WINDOW = Duration.ofMinutes(1);
    public static final Duration MAX_WINDOW = Duration.ofDays(30);

    /** Env key: how long after its first submission a keyed job answers resubmissions of its key. */
    public static final ConfigKey<Duration> WINDOW =
            ConfigKey.duration("PROMPTQ_IDEMPOTENCY_WINDOW", DEFAULT_WINDOW, MIN_WINDOW, MAX_WINDOW);

    private Idempotency() {}
}
