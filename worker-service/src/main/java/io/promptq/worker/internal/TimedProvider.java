package io.promptq.worker.internal;

import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Decorates the provider that {@code ResilientLlm} guards, to measure the provider's own time per attempt
 * (breaker and rate-limit waits excluded) and to count calls inside the provider. The caller announces a call
 * with {@link #expect}; the timing is keyed by job id because the guard may run the provider on another thread.
 * Closes the decorated provider only if it owns it (a provider passed in by the embedding application, e.g. a
 * {@code SimulatedLlm} shared by three workers, stays open).
 */
final class TimedProvider implements LlmProvider {

    /** Timing of one attempt; -1 until known. */
    static final class Timing {
        volatile long startNanos = -1;
        volatile long elapsedNanos = -1;
        /** Run once when the attempt reaches the provider; null when nobody is to be told (or was told). */
        volatile @Nullable Runnable started;
    }

    private final LlmProvider delegate;
    private final boolean owned;
    private final ConcurrentMap<String, Timing> timings = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();

    TimedProvider(LlmProvider delegate, boolean owned) {
        this.delegate = delegate;
        this.owned = owned;
    }

    Timing expect(String jobId) {
        return expect(jobId, null);
    }

    /** Announces a call of job {@code jobId}; {@code started} runs once when it reaches the provider. */
    Timing expect(String jobId, @Nullable Runnable started) {
        Timing t = new Timing();
        t.started = started;
        timings.put(jobId, t);
        return t;
    }

    void forget(String jobId, Timing t) {
        timings.remove(jobId, t);
    }

    /** Calls inside the provider now. */
    int running() {
        return running.get();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        Timing t = timings.get(request.jobId());
        long start = System.nanoTime();
        if (t != null) {
            t.startNanos = start;
            Runnable started = t.started;
            if (started != null) {
                t.started = null;
                started.run();
            }
        }
        running.incrementAndGet();
        try {
            return delegate.complete(request);
        } finally {
            running.decrementAndGet();
            if (t != null) {
                t.elapsedNanos = System.nanoTime() - start;
            }
        }
    }

    @Override
    public void close() {
        if (owned) {
            delegate.close();
        }
    }
}
