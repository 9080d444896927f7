package io.promptq.aggregator.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The aggregator's own meters (Kafka Streams' are bound separately with Micrometer's
 * {@code KafkaStreamsMetrics}). Names are defined here once.
 */
public final class AggregatorMetrics {

    /**
     * Results read, by {@code outcome}: counted, superseded (a later success replacing a counted dead letter or
     * expiry), duplicate (ignored), invalid (no key or value) or corrupt (undecodable, dead-lettered and skipped).
     */
    public static final String RESULTS = "promptq.aggregator.results";
    /** Results whose {@code completedAt} was too far from their append time and was replaced by it. */
    public static final String CLAMPED = "promptq.aggregator.results.clamped";
    /** Job ids forgotten by the de-duplication store after their retention. */
    public static final String DEDUP_EXPIRED = "promptq.aggregator.dedup.expired";
    /** Queries answered by forwarding them to the instance that owns the key. */
    public static final String QUERIES_FORWARDED = "promptq.aggregator.queries.forwarded";

    private final Counter counted;
    private final Counter superseded;
    private final Counter duplicates;
    private final Counter invalid;
    private final Counter corrupt;
    private final Counter expired;
    private final Counter clamped;
    private final Counter forwarded;

    public AggregatorMetrics(MeterRegistry registry) {
        this.counted = results(registry, "counted");
        this.superseded = results(registry, "superseded");
        this.duplicates = results(registry, "duplicate");
        this.invalid = results(registry, "invalid");
        this.corrupt = results(registry, "corrupt");
        this.expired = Counter.builder(DEDUP_EXPIRED).description("Job ids dropped from the dedup store after retention")
                .register(registry);
        this.clamped = Counter.builder(CLAMPED)
                .description("Results whose completedAt was further than the max clock skew from their append time")
                .register(registry);
        this.forwarded = Counter.builder(QUERIES_FORWARDED).description("Queries forwarded to the owning instance")
                .register(registry);
    }

    private static Counter results(MeterRegistry registry, String outcome) {
        return Counter.builder(RESULTS).description("Job results read from the results topic")
                .tag("outcome", outcome).register(registry);
    }

    public void counted() {
        counted.increment();
    }

    public void superseded() {
        superseded.increment();
    }

    public void duplicate() {
        duplicates.increment();
    }

    public void invalid() {
        invalid.increment();
    }

    public void corrupt() {
        corrupt.increment();
    }

    public void clamped() {
        clamped.increment();
    }

    public void expired(long n) {
        expired.increment(n);
    }

    public void forwarded() {
        forwarded.increment();
    }
}
