package io.promptq.worker.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.PauseReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flow meters: jobs in flight, free permits and buffered records for the worker and per assigned partition, and
 * paused partitions by reason, and how long the current rebalance has lasted. Per-partition gauges come and go with the assignment (it is also the poll loop's
 * {@link FlowListener}). Binding failures are logged once and never stop the worker.
 */
public final class FlowMetrics implements MeterBinder, FlowListener {

    private static final Logger log = LoggerFactory.getLogger(FlowMetrics.class);

    private final Tags tags;
    private final Supplier<FlowStats> stats;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<PartitionView, List<Meter>> partitionMeters = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;
    private volatile boolean warned;

    /** @param stats the poll loop's counters (looked up lazily: the loop is created with this as its listener) */
    public FlowMetrics(String workerId, Supplier<FlowStats> stats) {
        this.tags = Tags.of(WorkerMetricNames.TAG_WORKER, workerId);
        this.stats = stats;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        FlowStats stats = this.stats.get();
        guarded(() -> {
            meters.add(Gauge.builder(WorkerMetricNames.JOBS_IN_FLIGHT, stats, FlowStats::inFlight).tags(tags)
                    .description("Jobs running on this worker").register(registry));
            meters.add(Gauge.builder(WorkerMetricNames.PERMITS_FREE, stats, FlowStats::freePermits).tags(tags)
                    .description("Worker-wide permits not taken").register(registry));
            meters.add(Gauge.builder(WorkerMetricNames.RECORDS_BUFFERED, stats, FlowStats::buffered).tags(tags)
                    .description("Fetched records waiting in partition buffers").register(registry));
            meters.add(Gauge.builder(WorkerMetricNames.PARTITIONS_ASSIGNED, stats, FlowStats::assignedPartitions)
                    .tags(tags).description("Partitions assigned to this worker").register(registry));
            for (PauseReason reason : PauseReason.values()) {
                meters.add(Gauge.builder(WorkerMetricNames.PARTITIONS_PAUSED, stats, s -> s.paused(reason))
                        .tags(tags.and(WorkerMetricNames.TAG_REASON, reason.tag()))
                        .description("Partitions paused, by reason").register(registry));
            }
            meters.add(FunctionCounter.builder(WorkerMetricNames.RECORDS_FETCHED, stats, FlowStats::fetched).tags(tags)
                    .description("Records fetched").register(registry));
            meters.add(FunctionCounter.builder(WorkerMetricNames.RECORDS_SKIPPED_FINISHED, stats,
                    FlowStats::skippedFinished).tags(tags)
                    .description("Records skipped because an earlier owner had finished them").register(registry));
            meters.add(FunctionCounter.builder(WorkerMetricNames.JOBS_ABANDONED, stats, FlowStats::abandoned).tags(tags)
                    .description("Running jobs abandoned at a revocation or stop (redelivered)").register(registry));
            meters.add(Gauge.builder(WorkerMetricNames.REBALANCE_SECONDS, stats,
                            s -> s.rebalanceSeconds(System.currentTimeMillis())).tags(tags)
                    .description("Seconds this worker has been in the current rebalance (fetching nothing), 0 when none")
                    .register(registry));
            for (CommitFailureReason reason : CommitFailureReason.values()) {
                meters.add(FunctionCounter.builder(WorkerMetricNames.COMMIT_FAILURES, stats,
                                s -> s.commitFailures(reason))
                        .tags(tags.and(WorkerMetricNames.TAG_REASON, reason.tag()))
                        .description("Failed commits of finished work, by reason").register(registry));
            }
        });
    }

    @Override
    public void assigned(PartitionView p) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        guarded(() -> {
            Tags t = tags.and(WorkerMetricNames.TAG_TOPIC, p.topic(), WorkerMetricNames.TAG_PARTITION,
                    Integer.toString(p.partition()));
            List<Meter> list = new ArrayList<>(3);
            list.add(Gauge.builder(WorkerMetricNames.PARTITION_JOBS_IN_FLIGHT, p, PartitionView::inFlight).tags(t)
                    .register(r));
            list.add(Gauge.builder(WorkerMetricNames.PARTITION_PERMITS_FREE, p, PartitionView::freePermits).tags(t)
                    .register(r));
            list.add(Gauge.builder(WorkerMetricNames.PARTITION_RECORDS_BUFFERED, p, PartitionView::buffered).tags(t)
                    .register(r));
            partitionMeters.put(p, list);
        });
    }

    @Override
    public void revoked(PartitionView p) {
        List<Meter> list = partitionMeters.remove(p);
        MeterRegistry r = registry;
        if (list != null && r != null) {
            guarded(() -> list.forEach(r::remove));
        }
    }

    /** Removes every meter this binder registered. */
    public void unbind() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        guarded(() -> {
            meters.forEach(r::remove);
            partitionMeters.values().forEach(list -> list.forEach(r::remove));
        });
        meters.clear();
        partitionMeters.clear();
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("Could not bind worker flow metrics (processing continues): {}", e.toString());
            }
        }
    }
}
