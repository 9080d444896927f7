package io.promptq.llm;

/**
 * A language-model endpoint. {@link #complete} blocks and is called from virtual threads, many at once;
 * implementations are thread-safe. Every failure is thrown as a classified {@link ProviderException}.
 */
public interface LlmProvider extends AutoCloseable {

    /** Short name used in metrics, breaker names and results, e.g. {@code simulated}, {@code openai}. */
    String name();

    /**
     * Runs one chat completion.
     *
     * @throws ProviderException classified failure (transient or permanent)
     */
    LlmResponse complete(LlmRequest request);

    @Override
    default void close() {}
}
