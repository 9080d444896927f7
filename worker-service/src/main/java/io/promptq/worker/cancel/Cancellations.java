package io.promptq.worker.cancel;

import io.promptq.worker.processing.CancelRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The cancel requests this worker knows (jobId to tenant and time) and the jobs it runs. Requests come from one
 * reader thread ({@link #requested}, {@link #withdrawn}, {@link #expire}); job threads ask {@link #find} and
 * register a run with {@link #started}. A request counts only for a job of the same tenant: a tenant cannot cancel
 * another's job, even with its id.
 *
 * <p>Bounded: at most {@code maxKeys} requests, the oldest forgotten first, and none older than the retention
 * ({@code PROMPTQ_JOB_STATUS_RETENTION}, the cancellations topic's own). Every operation is O(1) (expiry amortized).
 *
 * <p>A running job is cancelled by interrupting its thread, which aborts the provider call (the HTTP request is
 * cancelled and its connection closed); {@link Running#finish()} ends the window in which that may happen.
 */
public final class Cancellations {

    /** Metric outcome: a job was cancelled before an attempt started (jobs topic or a retry tier). */
    public static final String QUEUED = "queued";
    /** Metric outcome: a running job was cancelled, its provider call aborted. */
    public static final String RUNNING = "running";
    /** Metric outcome: the cancel came after the job's answer was in; the job keeps its outcome. */
    public static final String TOO_LATE = "too_late";
    /** Metric outcome: a cancel named a job of another tenant and was ignored. */
    public static final String OTHER_TENANT = "other_tenant";

    private final int maxKeys;
    private final Duration retention;
    private final Clock clock;
    private final Consumer<String> outcomes;
    private final ConcurrentMap<String, Entry> requests = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Running> running = new ConcurrentHashMap<>();
    /** Requests in arrival order, for expiry and eviction; the reader thread's only. */
    private final ArrayDeque<Held> order = new ArrayDeque<>();

    /**
     * @param outcomes told each metric outcome ({@link #QUEUED}, {@link #RUNNING}, {@link #TOO_LATE},
     *     {@link #OTHER_TENANT}) counted here
     */
    public Cancellations(int maxKeys, Duration retention, Clock clock, Consumer<String> outcomes) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, but was " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.retention = Objects.requireNonNull(retention, "retention");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    }

    // ------------------------------------------------------------------ the reader's side

    /** A cancel request for {@code jobId} was read: remembered, and the job aborted if it runs here. */
    public void requested(String jobId, CancelRequest request) {
        if (expired(request)) {
            return;
        }
        requests.compute(jobId, (id, chain) -> new Entry(request, without(chain, request.tenant())));
        order.addLast(new Held(jobId, request));
        while (order.size() > maxKeys) {
            forget(order.pollFirst());
        }
        Running run = running.get(jobId);
        if (run != null) {
            if (run.tenant.equals(request.tenant())) {
                run.cancel(request);
            } else {
                outcomes.accept(OTHER_TENANT);
            }
        }
    }

    /** The request for {@code jobId} was deleted from the topic (a tombstone): forgotten. */
    public void withdrawn(String jobId) {
        requests.remove(jobId);
    }

    /** Forgets the requests older than the retention. */
    public void expire() {
        Held head;
        while ((head = order.peekFirst()) != null && expired(head.request)) {
            forget(order.pollFirst());
        }
    }

    /** Requests held (of every tenant); counts them, for logs. */
    public int size() {
        int n = 0;
        for (Entry e : requests.values()) {
            for (Entry x = e; x != null; x = x.next) {
                n++;
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ the job's side

    /** The cancel request of the job {@code jobId} of {@code tenant}, or null if it has none. */
    public @Nullable CancelRequest find(String jobId, String tenant) {
        Entry chain = requests.get(jobId);
        if (chain == null) {
            return null;
        }
        for (Entry e = chain; e != null; e = e.next) {
            if (e.request.tenant().equals(tenant)) {
                return expired(e.request) ? null : e.request;
            }
        }
        outcomes.accept(OTHER_TENANT);
        return null;
    }

    /**
     * Registers the job {@code jobId} of {@code tenant} as running on the current thread, which a cancel request
     * arriving from now on interrupts; end the run with {@link Running#finish()} on the same thread. Register
     * before {@link #find}, so a request arriving in between is seen by one of them.
     */
    public Running started(String jobId, String tenant) {
        Running run = new Running(jobId, tenant, Thread.currentThread());
        running.put(jobId, run);
        return run;
    }

    /** A job running on this worker, cancellable until it {@linkplain #finish() finishes}. */
    public final class Running {
        private final String jobId;
        private final String tenant;
        private final Thread thread;
        private @Nullable CancelRequest request;
        private boolean finished;

        private Running(String jobId, String tenant, Thread thread) {
            this.jobId = jobId;
            this.tenant = tenant;
            this.thread = thread;
        }

        private synchronized void cancel(CancelRequest r) {
            if (!finished && request == null) {
                request = r;
                thread.interrupt();
            }
        }

        /** The request that cancelled this run, or null. */
        public synchronized @Nullable CancelRequest request() {
            return request;
        }

        /**
         * Ends the run: no cancel interrupts the thread after this, and an interrupt a cancel made is cleared (the
         * caller goes on to write the outcome).
         *
         * @return the request that cancelled the run, or null
         */
        public synchronized @Nullable CancelRequest finish() {
            if (!finished) {
                finished = true;
                running.remove(jobId, this);
                if (request != null) {
                    Thread.interrupted();
                }
            }
            return request;
        }
    }

    // ------------------------------------------------------------------ internals

    private boolean expired(CancelRequest request) {
        return request.requestedAt().plus(retention).isBefore(clock.instant());
    }

    private void forget(Held held) {
        requests.computeIfPresent(held.jobId, (id, chain) -> {
            for (Entry e = chain; e != null; e = e.next) {
                if (e.request == held.request) {
                    return without(chain, held.request.tenant());
                }
            }
            return chain;
        });
    }

    /** {@code chain} without the entry of {@code tenant}; null if nothing is left. */
    private static @Nullable Entry without(@Nullable Entry chain, String tenant) {
        if (chain == null) {
            return null;
        }
        Entry rest = without(chain.next, tenant);
        if (chain.request.tenant().equals(tenant)) {
            return rest;
        }
        return rest == chain.next ? chain : new Entry(chain.request, rest);
    }

    /** The requests for one job id, one per tenant (almost always one); immutable. */
    private record Entry(CancelRequest request, @Nullable Entry next) {}

    /** A request in arrival order. */
    private record Held(String jobId, CancelRequest request) {}
}
