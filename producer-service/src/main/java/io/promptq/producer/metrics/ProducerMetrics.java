package io.promptq.producer.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The producer service's own meters, names defined here once. In Prometheus they appear as
 * {@code promptq_producer_jobs_accepted_total}, {@code promptq_producer_jobs_duplicate_total},
 * {@code promptq_producer_jobs_rejected_total{reason="..."}} and
 * {@code promptq_producer_publish_latency_seconds_bucket{outcome="..."}} (a percentile histogram). Kafka
 * producer metrics come from Micrometer's {@code KafkaClientMetrics}, bound by the service.
 */
public final class ProducerMetrics {

    /** Counter: jobs written to Kafka and acknowledged. */
    public static final String JOBS_ACCEPTED = "promptq.producer.jobs.accepted";
    /**
     * Counter: keyed jobs answered {@code 200} with an earlier copy of the same job (same tenant, idempotency key and
     * payload) instead of being written.
     */
    public static final String JOBS_DUPLICATE = "promptq.producer.jobs.duplicate";
    /** Counter: jobs refused, tagged {@value #REASON}. */
    public static final String JOBS_REJECTED = "promptq.producer.jobs.rejected";
    /** Timer: from submission to the broker's acknowledgement (or failure), tagged {@value #OUTCOME}. */
    public static final String PUBLISH_LATENCY = "promptq.producer.publish.latency";
    public static final String REASON = "reason";
    public static final String OUTCOME = "outcome";

    /** Why a job was refused; the lower-case name is the {@value #REASON} tag. */
    public enum RejectReason {
        /** 400: the job broke a validation rule or was not a valid JSON job. */
        INVALID,
        /** 401: missing or unknown bearer token. */
        UNAUTHORIZED,
        /** 403: the token's tenant differs from the job's. */
        FORBIDDEN,
        /** 413: body or batch too large, or the record too large for Kafka. */
        TOO_LARGE,
        /** 409: the idempotency key names a job with another payload. */
        CONFLICT,
        /** 415: neither JSON nor NDJSON. */
        UNSUPPORTED_MEDIA_TYPE,
        /** 503: Kafka or the registry unreachable; nothing was written. */
        UNAVAILABLE,
        /** 504: the record was sent but whether it was written is unknown; retry with the same idempotency key. */
        OUTCOME_UNKNOWN,
        /** 400 or 408: the body was cut short, malformed in its framing, or stalled past the idle timeout. */
        INCOMPLETE_BODY,
        /** 500: anything else. */
        ERROR;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Counter accepted;
    private final Counter duplicate;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Timer acknowledged;
    private final Timer failed;

    private ProducerMetrics(MeterRegistry registry) {
        accepted = Counter.builder(JOBS_ACCEPTED).description("Jobs written to Kafka and acknowledged").register(registry);
        duplicate = Counter.builder(JOBS_DUPLICATE)
                .description("Keyed jobs answered with an earlier copy of the same job instead of being written")
                .register(registry);
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder(JOBS_REJECTED).description("Jobs refused, by reason")
                    .tag(REASON, reason.tag()).register(registry));
        }
        acknowledged = latency(registry, "acknowledged");
        failed = latency(registry, "failed");
    }

    /** Registers the meters (all reasons up front, so they read 0 rather than missing). */
    public static ProducerMetrics bind(MeterRegistry registry) {
        return new ProducerMetrics(registry);
    }

    private static Timer latency(MeterRegistry registry, String outcome) {
        return Timer.builder(PUBLISH_LATENCY).description("Time from submission to the broker's acknowledgement")
                .tag(OUTCOME, outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry);
    }

    public void accepted() {
        accepted.increment();
    }

    public void duplicate() {
        duplicate.increment();
    }

    public void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    /** Records how long a publish took since {@code startNanos} ({@link System#nanoTime()}). */
    public void published(long startNanos, boolean acknowledged) {
        (acknowledged ? this.acknowledged : failed).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
