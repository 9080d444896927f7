package io.promptq.llm;

/**
 * The simulated provider's control surface for tests and benchmarks: switch an outage on and off, change the
 * latency while running, and observe calls. Obtain one from {@link LlmProviders#simulated(SimulatedSettings)}
 * (or by casting what {@link LlmProviders#create(LlmConfig)} returns for {@code simulated}).
 */
public interface SimulatedLlm extends LlmProvider {

    /** The settings this provider was created with (latency and outage may have changed since). */
    SimulatedSettings settings();

    /** While on, every call fails at once with SERVER_ERROR (HTTP 503), regardless of the failure rates. */
    void setOutage(boolean outage);

    boolean outage();

    /** Replaces the latency distribution for calls that start from now on. */
    void setLatency(LatencyDistribution latency);

    LatencyDistribution latency();

    /** Adds an observer notified at the start and end of every call. */
    void addObserver(CallObserver observer);

    void removeObserver(CallObserver observer);

    /** Calls started so far (the per-call sequence number that seeds the next draw). */
    long calls();
}
