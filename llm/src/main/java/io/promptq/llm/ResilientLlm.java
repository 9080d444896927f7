package io.promptq.llm;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptq.llm.internal.Resilience4jLlm;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * A provider guarded by Resilience4j: per {@code provider:model} one circuit breaker, one request-rate limiter
 * and one token-rate limiter, a hard deadline per call, and call metrics. It never retries - retries are the
 * worker's business (retry topics) - but it makes calls <em>wait</em> instead of failing when a rate budget is
 * spent, and refuses at once with {@link ModelUnavailableException} when the model's breaker is open or the provider
 * refused the model (401/403/404), so that neither burns a job's attempt.
 *
 * <p>Thread-safe; {@link #call} blocks and is meant for virtual threads.
 */
public interface ResilientLlm extends AutoCloseable {

    /**
     * Guards {@code provider} with {@code config}, registering meters in {@code meters}. Closing the result
     * closes the provider.
     */
    static ResilientLlm create(LlmProvider provider, ResilienceConfig config, MeterRegistry meters) {
        return new Resilience4jLlm(provider, config, meters);
    }

    /** Like {@link #create(LlmProvider, ResilienceConfig, MeterRegistry)}, reading request deadlines on {@code clock}. */
    static ResilientLlm create(LlmProvider provider, ResilienceConfig config, MeterRegistry meters, Clock clock) {
        return new Resilience4jLlm(provider, config, meters, clock);
    }

    /**
     * Runs one completion. In order:
     * <ol>
     *   <li>if the model's breaker is OPEN (or HALF_OPEN with all trial calls taken), or the model is paused after a
     *       401/403/404, ends at once with {@link ModelUnavailableException} - not an attempt, the provider is not
     *       called, and the caller parks the job until its {@code retryAt};</li>
     *   <li>waits until the request and token budgets allow the call (no failure);</li>
     *   <li>after every wait, and once more before the provider is called, checks the request's deadline: once it
     *       has passed, {@link DeadlinePassedException} is thrown and the provider is never called;</li>
     *   <li>calls the provider with {@code min(request.timeout(), callTimeout)}, guarded by a hard deadline a
     *       little later in case the provider overruns its own timeout;</li>
     *   <li>records the outcome in the breaker (only transient classes count as failures, see
     *       {@link ResilienceConfig}) and in {@link LlmMeters#CALL}.</li>
     * </ol>
     *
     * <p>Interrupting the calling thread aborts the call, whether waiting or running: a
     * {@link ProviderException} of class TIMEOUT is thrown and the thread's interrupt flag is set again. Such an
     * abort is not recorded by the breaker. Closing this object aborts waiting calls the same way.
     *
     * @throws ModelUnavailableException the model cannot be served now (breaker open, or paused after 401/403/404,
     *     including by this call's own answer)
     * @throws DeadlinePassedException the request's deadline passed before the provider was called
     * @throws ProviderException the provider's classified failure, or TIMEOUT on the hard deadline or an abort
     */
    LlmResponse call(LlmRequest request);

    /** True while the breaker of {@code model} is OPEN: the worker should pause intake for that model. */
    boolean intakeBlocked(String model);

    /** The job model names whose breaker is OPEN right now. */
    Set<String> blockedModels();

    /**
     * Models paused because the provider answered 401/403/404 for them, each with the reason (e.g. "provider answered
     * 401 (...)"); empty when every model may be called. For readiness.
     */
    Map<String, String> unavailableModels();

    /**
     * The circuit breaker state of each model guarded now ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...),
     * empty when breakers are off; for the console's Workers view.
     */
    default Map<String, String> breakerStates() {
        return Map.of();
    }

    /** Calls that waited for a request or token rate limit so far; for the console's Workers view. */
    default long rateLimitWaits() {
        return 0;
    }

    /** The guarded provider's {@link LlmProvider#name()}. */
    String providerName();

    /** Aborts waiting calls, interrupts running ones, removes this object's meters and closes the provider. */
    @Override
    void close();
}
