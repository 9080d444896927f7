package io.promptq.llm;

import org.jspecify.annotations.Nullable;

/**
 * Watches calls as they enter and leave a provider, e.g. so a test can count concurrent in-flight calls per
 * partition or job. Runs on the calling thread; must be quick and thread-safe. An exception thrown by an
 * observer is logged and otherwise ignored: instrumentation never breaks a call.
 */
public interface CallObserver {

    /** The provider starts working on {@code request}. */
    default void onCallStart(LlmRequest request) {}

    /**
     * The provider finished {@code request}.
     *
     * @param failure the classified failure, or {@code null} on success
     */
    default void onCallEnd(LlmRequest request, @Nullable ProviderException failure) {}
}
