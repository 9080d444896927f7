package io.promptq.topic;

import io.promptq.config.ConfigKey;
import java.time.Duration;

/**
 * How long promptq remembers a job's lifecycle: its state changes on the status topic, the aggregator's job
 * views built from them, and cancel requests on the cancellations topic. Read by every service that writes or
 * provisions those topics (producer, client library, worker, aggregator); all of them must use the same value.
 *
 * <p>A cancel request must outlive the longest a job can still start (its deadline, or its retry delays); the
 * default of 7 days matches the retry tiers' minimum retention ({@link TopicSpecs#MIN_RETRY_RETENTION}).
 */
public final class JobLifecycle {

    public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
    public static final Duration MIN_RETENTION = Duration.ofHours(1);
    public static final Duration MAX_RETENTION = Duration.ofDays(90);

    /** Env key: how long job states, job views and cancel requests are kept. */
    public static final ConfigKey<Duration> RETENTION =
            ConfigKey.duration("PROMPTQ_JOB_STATUS_RETENTION", DEFAULT_RETENTION, MIN_RETENTION, MAX_RETENTION);

    private JobLifecycle() {}
}
