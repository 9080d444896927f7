package io.promptq.worker.processing;

import io.promptq.schema.PromptJob;

/**
 * Told when a provider attempt of a job starts, i.e. when the guarded call reaches the provider (after any wait
 * for a breaker or rate limit); a job parked without reaching it is not told. Runs on the thread that calls the
 * provider, right before the call, so it must be quick and must not throw or block.
 */
@FunctionalInterface
public interface AttemptListener {

    /** Tells nobody. */
    AttemptListener NONE = (job, attempt) -> { };

    /**
     * @param attempt the 1-based attempt that starts: earlier deliveries' attempts included
     */
    void started(PromptJob job, int attempt);
}
