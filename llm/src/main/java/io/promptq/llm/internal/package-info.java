/**
 * Implementations behind the {@code io.promptq.llm} API: the simulated and OpenAI-compatible providers and the
 * Resilience4j guard. Not API: obtain instances through {@link io.promptq.llm.LlmProviders} and
 * {@link io.promptq.llm.ResilientLlm#create}.
 */
@NullMarked
package io.promptq.llm.internal;

import org.jspecify.annotations.NullMarked;
