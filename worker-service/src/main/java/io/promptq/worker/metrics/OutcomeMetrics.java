package io.promptq.worker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.noop.NoopCounter;
import io.micrometer.core.instrument.noop.NoopTimer;
import io.promptq.schema.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outcome meters - terminal outcomes by status, retries by tier, dead letters by reason, retry lateness and job
 * duration - and the cheap counters behind {@code WorkerService.stats()}. Recording never throws.
 */
public final class OutcomeMetrics implements MeterBinder {

    private static final Logger log = LoggerFactory.getLogger(OutcomeMetrics.class);

    private final Tags tags;
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder undecodable = new LongAdder();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private volatile MeterRegistry registry;
    private volatile Timer lateness = noopTimer(WorkerMetricNames.RETRY_LATENESS);
    private volatile Timer duration = noopTimer(WorkerMetricNames.JOB_DURATION);
    private volatile boolean warned;

    public OutcomeMetrics(String workerId) {
        this.tags = Tags.of(WorkerMetricNames.TAG_WORKER, workerId);
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        try {
            lateness = Timer.builder(WorkerMetricNames.RETRY_LATENESS).tags(tags)
                    .description("How late retried jobs started after their due time")
                    .publishPercentiles(0.5, 0.99).register(registry);
            duration = Timer.builder(WorkerMetricNames.JOB_DURATION).tags(tags)
                    .description("Handling of one record, from start to acknowledged outcome")
                    .publishPercentileHistogram().register(registry);
            meters.add(lateness);
            meters.add(duration);
            for (JobStatus s : List.of(JobStatus.SUCCEEDED, JobStatus.DEAD_LETTERED, JobStatus.EXPIRED,
                    JobStatus.CANCELLED)) {
                counter(WorkerMetricNames.OUTCOMES, WorkerMetricNames.TAG_STATUS, s.name());
            }
        } catch (RuntimeException e) {
            warn(e);
        }
    }

    /** A terminal outcome was published. */
    public void outcome(JobStatus status) {
        switch (status) {
            case SUCCEEDED -> succeeded.increment();
            case DEAD_LETTERED -> deadLettered.increment();
            case EXPIRED -> expired.increment();
            default -> { }
        }
        counter(WorkerMetricNames.OUTCOMES, WorkerMetricNames.TAG_STATUS, status.name()).increment();
    }

    /** A cancel request took effect, or came too late, or named another tenant's job ({@code outcome}). */
    public void cancellation(String outcome) {
        counter(WorkerMetricNames.CANCELLATIONS, WorkerMetricNames.TAG_OUTCOME, outcome).increment();
    }

    /** A retry was published to tier {@code tier}. */
    public void retry(int tier) {
        retries.increment();
        counter(WorkerMetricNames.RETRIES, WorkerMetricNames.TAG_TIER, Integer.toString(tier)).increment();
    }

    /** A dead letter was published for {@code reason} (e.g. {@code MAX_ATTEMPTS}, {@code UNDECODABLE}). */
    public void deadLetter(String reason) {
        if ("UNDECODABLE".equals(reason)) {
            undecodable.increment();
        }
        counter(WorkerMetricNames.DEAD_LETTERS, WorkerMetricNames.TAG_REASON, reason).increment();
    }

    /** A retried job started {@code late} after its due time (negative values are recorded as 0). */
    public void retryLateness(Duration late) {
        lateness.record(late.isNegative() ? Duration.ZERO : late);
    }

    /** One record was handled in {@code took}. */
    public void handled(Duration took) {
        duration.record(took);
    }

    public long succeeded() {
        return succeeded.sum();
    }

    public long deadLettered() {
        return deadLettered.sum();
    }

    public long expired() {
        return expired.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long undecodable() {
        return undecodable.sum();
    }

    /** Removes every meter this binder registered. */
    public synchronized void unbind() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        try {
            meters.forEach(r::remove);
            counters.values().forEach(r::remove);
        } catch (RuntimeException e) {
            warn(e);
        }
        counters.clear();
        meters.clear();
        registry = null;
    }

    private Counter counter(String name, String tag, String value) {
        String key = name + '|' + value;
        Counter c = counters.get(key);
        if (c != null) {
            return c;
        }
        MeterRegistry r = registry;
        if (r == null) {
            return new NoopCounter(new Meter.Id(name, tags, null, null, Meter.Type.COUNTER));
        }
        try {
            return counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags)
                    .tag(tag, value.toLowerCase(Locale.ROOT)).register(r));
        } catch (RuntimeException e) {
            warn(e);
            return new NoopCounter(new Meter.Id(name, tags, null, null, Meter.Type.COUNTER));
        }
    }

    private static Timer noopTimer(String name) {
        return new NoopTimer(new Meter.Id(name, Tags.empty(), null, null, Meter.Type.TIMER));
    }

    private void warn(RuntimeException e) {
        if (!warned) {
            warned = true;
            log.warn("Could not bind worker outcome metrics (processing continues): {}", e.toString());
        }
    }
}
