package io.promptq.worker.kafka;

import org.jspecify.annotations.Nullable;

/** Tells the poll loop whether to stop fetching new work everywhere, e.g. while a circuit breaker is open. */
@FunctionalInterface
public interface IntakeGate {

    /** An intake gate that never closes. */
    IntakeGate OPEN = () -> null;

    /** Why intake must pause now (e.g. {@link PauseReason#BREAKER}), or null to let it flow. Must be cheap. */
    @Nullable PauseReason blocked();

    /**
     * Whether calls are waiting for a spent rate limit: partitions paused for lack of permits are then reported
     * as paused for {@link PauseReason#RATE_LIMIT}. Must be cheap.
     */
    default boolean throttled() {
        return false;
    }
}
