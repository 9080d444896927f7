package io.promptq.worker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meters of the worker's idempotency check: later copies of keyed jobs dropped (with or without a payload
 * conflict) and keys forgotten at the per-partition bound. Counting is a plain add (the poll thread counts); a
 * binding failure is logged and never stops the worker.
 */
public final class IdempotencyMetrics implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyMetrics.class);

    private final Tags tags;
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private volatile MeterRegistry registry;

    public IdempotencyMetrics(String workerId) {
        this.tags = Tags.of(WorkerMetricNames.TAG_WORKER, workerId);
    }

    /** A later copy of a keyed job was dropped; {@code conflict}: its payload differs from the first copy's. */
    public void duplicate(boolean conflict) {
        (conflict ? conflicts : duplicates).increment();
    }

    /** A keyed job was forgotten at the bound. */
    public void evicted() {
        evicted.increment();
    }

    /** Later copies dropped so far with the first copy's payload. */
    public long duplicates() {
        return duplicates.sum();
    }

    /** Later copies dropped so far with another payload. */
    public long conflicts() {
        return conflicts.sum();
    }

    /** Keys forgotten at the bound so far. */
    public long evictions() {
        return evicted.sum();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        try {
            meters.add(FunctionCounter.builder(WorkerMetricNames.JOBS_DUPLICATES, duplicates, LongAdder::sum)
                    .tags(tags.and(WorkerMetricNames.TAG_CONFLICT, "false"))
                    .description("Later copies of keyed jobs dropped without a provider call").register(registry));
            meters.add(FunctionCounter.builder(WorkerMetricNames.JOBS_DUPLICATES, conflicts, LongAdder::sum)
                    .tags(tags.and(WorkerMetricNames.TAG_CONFLICT, "true"))
                    .description("Later copies of keyed jobs dropped without a provider call").register(registry));
            meters.add(FunctionCounter.builder(WorkerMetricNames.IDEMPOTENCY_EVICTED, evicted, LongAdder::sum)
                    .tags(tags).description("Keyed jobs forgotten at the per-partition bound").register(registry));
        } catch (RuntimeException e) {
            log.warn("Could not bind idempotency metrics (processing continues): {}", e.toString());
        }
    }

    /** Removes the meters this binder registered. */
    public void unbind() {
        MeterRegistry r = registry;
        if (r != null) {
            meters.forEach(r::remove);
        }
        meters.clear();
    }
}
