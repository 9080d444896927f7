package io.promptq.llm;

import org.jspecify.annotations.Nullable;

/**
 * A successful completion.
 *
 * @param text generated text
 * @param finishReason why generation stopped (e.g. {@code stop}, {@code length})
 * @param promptTokens tokens in the prompt, as reported (or estimated)
 * @param completionTokens tokens generated
 * @param body the provider's response body as received (JSON), or null when the provider has none (the simulated
 *     provider): an OpenAI-compatible batch passes it through to its output file unchanged
 */
public record LlmResponse(String text, String finishReason, long promptTokens, long completionTokens,
        @Nullable String body) {

    /** A completion without a raw response body. */
    public LlmResponse(String text, String finishReason, long promptTokens, long completionTokens) {
        this(text, finishReason, promptTokens, completionTokens, null);
    }
}
