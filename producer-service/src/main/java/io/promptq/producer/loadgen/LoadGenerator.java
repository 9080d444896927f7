package io.promptq.producer.loadgen;

import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.producer.loadgen.internal.ClientSink;
import io.promptq.producer.loadgen.internal.HttpSink;
import io.promptq.producer.loadgen.internal.PromptSource;
import io.promptq.producer.loadgen.internal.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Publishes a number of prompt jobs as fast as possible or at a target rate, to a producer service over HTTP
 * or straight to Kafka ({@link LoadTarget}), with at most {@link LoadOptions#maxInFlight()} requests
 * outstanding (a {@link Semaphore}). Progress goes to a {@link LoadProgress.Listener}; {@link #run} returns a
 * {@link LoadSummary}. Used by the {@code promptq submit} command and by benchmarks; it knows nothing of any CLI.
 *
 * <pre>{@code
 * LoadSummary summary = LoadGenerator.create(LoadOptions.builder(10_000).maxInFlight(32).build(),
 *         LoadTarget.http(URI.create("http://127.0.0.1:8080"))).run(p -> bar.stepTo(p.completed()));
 * }</pre>
 *
 * One generator runs once; {@link #stop()} (from another thread) ends dispatching early and lets the jobs in
 * flight finish.
 */
public final class LoadGenerator {

    private final LoadOptions options;
    private final LoadTarget target;
    private final LongAdder dispatched = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();
    private final Histogram latencyMicros = new ConcurrentHistogram(3);
    private volatile boolean stopped;
    private volatile boolean started;

    private LoadGenerator(LoadOptions options, LoadTarget target) {
        this.options = Objects.requireNonNull(options, "options");
        this.target = Objects.requireNonNull(target, "target");
    }

    public static LoadGenerator create(LoadOptions options, LoadTarget target) {
        return new LoadGenerator(options, target);
    }

    /**
     * Publishes the jobs and waits for every answer. Each unit (HTTP request or Kafka send) is bounded by
     * the target's own timeout, so this returns once the last one is answered.
     *
     * @throws IllegalStateException if this generator already ran
     * @throws IllegalArgumentException if the prompts file is malformed
     * @throws InterruptedException if interrupted while dispatching (after the jobs in flight were answered)
     */
    public LoadSummary run(LoadProgress.Listener listener) throws InterruptedException {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (started) {
                throw new IllegalStateException("a LoadGenerator runs once");
            }
            started = true;
        }
        boolean http = target instanceof LoadTarget.Http;
        PromptSource source = PromptSource.of(options, http ? null : LoadOptions.DEFAULT_TENANT);
        int unitSize = http ? options.batchSize() : 1;
        long start = System.nanoTime();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("promptq-loadgen-progress").factory());
        long intervalMs = options.progressInterval().toMillis();
        ticker.scheduleAtFixedRate(() -> listener.onProgress(progress(start)), intervalMs, intervalMs,
                TimeUnit.MILLISECONDS);
        Semaphore permits = new Semaphore(options.maxInFlight());
        try (Sink sink = sink()) {
            try {
                dispatch(sink, source, unitSize, permits, start);
            } finally {
                permits.acquire(options.maxInFlight());
            }
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        listener.onProgress(new LoadProgress(options.jobs(), dispatched.sum(), accepted.sum(), rejected.sum(), elapsed));
        return summary(elapsed);
    }

    /** Stops dispatching; {@link #run} returns once the jobs in flight are answered. */
    public void stop() {
        stopped = true;
    }

    private void dispatch(Sink sink, PromptSource source, int unitSize, Semaphore permits, long start)
            throws InterruptedException {
        double nanosPerJob = options.ratePerSecond() > 0 ? 1e9 / options.ratePerSecond() : 0;
        for (long next = 0; next < options.jobs() && !stopped; ) {
            if (nanosPerJob > 0) {
                long due = start + (long) (next * nanosPerJob);
                for (long wait = due - System.nanoTime(); wait > 0 && !stopped; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
            permits.acquire();
            int size = (int) Math.min(unitSize, options.jobs() - next);
            List<JobRequest> unit = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                unit.add(source.job(next + i));
            }
            next += size;
            long sent = System.nanoTime();
            dispatched.add(size);
            sink.send(unit).whenComplete((outcomes, error) -> {
                try {
                    latencyMicros.recordValue(Math.max(0, (System.nanoTime() - sent) / 1_000));
                    for (String outcome : error == null ? outcomes : Collections.nCopies(size, "failed")) {
                        if (outcome == null) {
                            accepted.increment();
                        } else {
                            rejected.increment();
                            reasons.computeIfAbsent(outcome, r -> new LongAdder()).increment();
                        }
                    }
                } finally {
                    permits.release();
                }
            });
        }
    }

    private Sink sink() {
        return switch (target) {
            case LoadTarget.Http http -> new HttpSink(http);
            case LoadTarget.Kafka kafka -> new ClientSink(PromptqClient.create(kafka.config()), true);
            case LoadTarget.Client client -> new ClientSink(client.client(), false);
        };
    }

    private LoadProgress progress(long start) {
        return new LoadProgress(options.jobs(), dispatched.sum(), accepted.sum(), rejected.sum(),
                Duration.ofNanos(System.nanoTime() - start));
    }

    private LoadSummary summary(Duration elapsed) {
        Map<String, Long> byReason = new TreeMap<>();
        reasons.forEach((reason, count) -> byReason.put(reason, count.sum()));
        Histogram h = latencyMicros.copy();
        LoadSummary.Latency latency = new LoadSummary.Latency(h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0);
        return new LoadSummary(accepted.sum(), rejected.sum(), byReason, elapsed, latency,
                stopped && dispatched.sum() < options.jobs());
    }
}
