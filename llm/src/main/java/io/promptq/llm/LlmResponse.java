package io.promptq.llm;

/**
 * A successful completion.
 *
 * @param text generated text
 * @param finishReason why generation stopped (e.g. {@code stop}, {@code length})
 * @param promptTokens tokens in the prompt, as reported (or estimated)
 * @param completionTokens tokens generated
 */
public record LlmResponse(String text, String finishReason, long promptTokens, long completionTokens) {}
