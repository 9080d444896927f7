/**
 * Calling language models: the {@link io.promptq.llm.LlmProvider} SPI, its request/response types, the
 * one place where failures are classified ({@link io.promptq.llm.ProviderException} with an
 * {@link io.promptq.llm.ErrorClass}), and {@link io.promptq.llm.ResilientLlm}, which guards a provider
 * with Resilience4j (timeout, rate limits, circuit breaker).
 */
@NullMarked
package io.promptq.llm;

import org.jspecify.annotations.NullMarked;
