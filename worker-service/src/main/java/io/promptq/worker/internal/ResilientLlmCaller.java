package io.promptq.worker.internal;

import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ResilienceConfig;
import io.promptq.llm.ResilientLlm;
import io.promptq.worker.processing.LlmCaller;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The worker's {@link LlmCaller} over the llm module's {@link ResilientLlm}: reports the provider's own time
 * per attempt and whether calls are waiting for a spent rate limit.
 */
final class ResilientLlmCaller implements LlmCaller, AutoCloseable {

    private final ResilientLlm llm;
    private final TimedProvider timed;
    private final boolean rateLimited;
    private final AtomicInteger inCall = new AtomicInteger();

    ResilientLlmCaller(ResilientLlm llm, TimedProvider timed, ResilienceConfig config) {
        this.llm = llm;
        this.timed = timed;
        this.rateLimited = config.rateLimitRps() > 0 || config.rateLimitTpm() > 0;
    }

    @Override
    public String providerName() {
        return llm.providerName();
    }

    @Override
    public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
        return call(request, providerMillis, null);
    }

    @Override
    public LlmResponse call(LlmRequest request, LongConsumer providerMillis, @Nullable Runnable started) {
        TimedProvider.Timing t = timed.expect(request.jobId(), started);
        inCall.incrementAndGet();
        try {
            return llm.call(request);
        } finally {
            inCall.decrementAndGet();
            timed.forget(request.jobId(), t);
            long elapsed = t.elapsedNanos;
            if (elapsed < 0) {
                long start = t.startNanos;
                elapsed = start < 0 ? 0 : System.nanoTime() - start;
            }
            providerMillis.accept(TimeUnit.NANOSECONDS.toMillis(elapsed));
        }
    }

    /** Whether calls are waiting inside the guard (for a rate limit) rather than running in the provider. */
    boolean waitingForBudget() {
        return rateLimited && inCall.get() > timed.running();
    }

    @Override
    public void close() {
        llm.close();
    }
}
