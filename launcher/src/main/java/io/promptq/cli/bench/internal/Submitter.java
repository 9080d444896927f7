package io.promptq.cli.bench.internal;

import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Submits benchmark jobs through the real client (validation, Avro, idempotent acks=all producer) and records
 * each job's submit time ({@link System#nanoTime()}, taken just before {@code submit}) by job id. At most
 * {@value #MAX_PENDING} submissions wait for their acknowledgement at a time.
 */
public final class Submitter {

    static final int MAX_PENDING = 5_000;

    private final PromptqClient client;
    private final String phase;
    private final Map<String, Long> submitted = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitions = new ConcurrentHashMap<>();
    private final Semaphore pending = new Semaphore(MAX_PENDING);
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private long next;
    private long firstSubmitNanos = -1;

    Submitter(PromptqClient client, String phase) {
        this.client = client;
        this.phase = phase;
    }

    /** Submits {@code jobs} jobs as fast as the client accepts them; returns when all were acknowledged. */
    public void burst(int jobs) throws InterruptedException {
        for (int i = 0; i < jobs; i++) {
            submitOne();
        }
        awaitAcks();
    }

    /**
     * Offers jobs at {@code perSecond} for {@code duration} (open loop: the schedule does not wait for results);
     * returns when all were acknowledged.
     *
     * @return the number of jobs submitted
     */
    public int paced(double perSecond, Duration duration) throws InterruptedException {
        int jobs = (int) Math.max(1, Math.round(perSecond * duration.toNanos() / 1e9));
        double intervalNanos = 1e9 / perSecond;
        long start = System.nanoTime();
        for (int i = 0; i < jobs; i++) {
            long due = start + (long) (i * intervalNanos);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            submitOne();
        }
        awaitAcks();
        return jobs;
    }

    private void submitOne() throws InterruptedException {
        long index = next++;
        pending.acquire();
        String jobId = BenchJobs.jobId(phase, index);
        long now = System.nanoTime();
        if (firstSubmitNanos < 0) {
            firstSubmitNanos = now;
        }
        submitted.put(jobId, now);
        CompletableFuture<SubmitReceipt> f = client.submit(BenchJobs.request(phase, index));
        f.whenComplete((receipt, error) -> {
            pending.release();
            if (receipt != null) {
                partitions.put(jobId, receipt.partition());
            }
            if (error != null) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, error);
            }
        });
    }

    private void awaitAcks() throws InterruptedException {
        if (!pending.tryAcquire(MAX_PENDING, 2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("submissions were not acknowledged within 2 minutes");
        }
        pending.release(MAX_PENDING);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " submissions failed, first: " + firstFailure.get(),
                    firstFailure.get());
        }
    }

    /** Submit time per job id. */
    public Map<String, Long> submitted() {
        return submitted;
    }

    /** The jobs-topic partition of each acknowledged job. */
    public Map<String, Integer> partitions() {
        return partitions;
    }

    /** When the first job was submitted, or -1. */
    public long firstSubmitNanos() {
        return firstSubmitNanos;
    }
}
