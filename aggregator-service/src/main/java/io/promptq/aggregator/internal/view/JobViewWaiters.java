package io.promptq.aggregator.internal.view;

import io.promptq.aggregator.JobView;
import io.promptq.aggregator.QueryUnavailableException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readers long-polling a job view, woken by the processor that updates it: a reader registers a future for its
 * job, and {@link #changed} completes every future of that job with the new view (one map lookup per update,
 * nothing when nobody waits). The number of waiting readers is bounded; beyond it {@link #register} refuses with
 * {@link QueryUnavailableException} (503).
 */
public final class JobViewWaiters {

    private final ConcurrentHashMap<String, Set<CompletableFuture<JobView>>> byJob = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;

    public JobViewWaiters(int max) {
        this.max = max;
    }

    /** A future completed with the job's next view; {@link #remove} it when done. */
    public CompletableFuture<JobView> register(String jobId) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            throw new QueryUnavailableException("too many waiting job queries (" + max + "); retry shortly");
        }
        CompletableFuture<JobView> future = new CompletableFuture<>();
        byJob.computeIfAbsent(jobId, id -> ConcurrentHashMap.newKeySet()).add(future);
        return future;
    }

    public void remove(String jobId, CompletableFuture<JobView> future) {
        byJob.computeIfPresent(jobId, (id, futures) -> {
            if (futures.remove(future)) {
                count.decrementAndGet();
            }
            return futures.isEmpty() ? null : futures;
        });
    }

    /** Wakes the readers of {@code jobId} with its new view. */
    public void changed(String jobId, JobView view) {
        Set<CompletableFuture<JobView>> futures = byJob.get(jobId);
        if (futures != null) {
            for (CompletableFuture<JobView> future : futures) {
                future.complete(view);
            }
        }
    }

    /** How many readers wait now. */
    public int waiting() {
        return count.get();
    }
}
