package io.promptq.worker.processing;

import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import java.util.function.LongConsumer;

/**
 * The worker's view of a guarded language model: one blocking call. In
 * production this is {@code ResilientLlm} (timeout, circuit breaker and rate limits per provider and model);
 * tests use a fake.
 */
public interface LlmCaller {

    /** Name of the provider behind this caller, written to every result. */
    String providerName();

    /**
     * Runs one attempt. Waiting for a spent rate limit happens inside and is not an attempt; a model that cannot be
     * served now (breaker open, provider refused it) ends the call with
     * {@link io.promptq.llm.ModelUnavailableException}, also not an attempt.
     *
     * @param providerMillis told, before this returns or throws, how long the provider itself worked on the
     *     attempt (waits excluded); if it is not told, the caller counts the whole call
     * @throws io.promptq.llm.ProviderException a classified failure of the attempt
     */
    LlmResponse call(LlmRequest request, LongConsumer providerMillis);

    /**
     * As {@link #call(LlmRequest, LongConsumer)}, running {@code started} once when the attempt reaches the provider
     * (not when the call is refused or parked before). This default runs it right before the call.
     */
    default LlmResponse call(LlmRequest request, LongConsumer providerMillis, Runnable started) {
        started.run();
        return call(request, providerMillis);
    }
}
