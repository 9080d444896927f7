package io.promptq.worker.internal;

import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import org.jspecify.annotations.Nullable;

/**
 * Slows intake while calls wait for a spent rate limit. It never pauses intake for a model's breaker or a provider
 * that refused a model: jobs of such a model are parked on a retry tier by the job processor, so the other models'
 * jobs on the same partitions keep flowing.
 */
final class LlmIntakeGate implements IntakeGate {

    private final ResilientLlmCaller budget;

    LlmIntakeGate(ResilientLlmCaller budget) {
        this.budget = budget;
    }

    @Override
    public @Nullable PauseReason blocked() {
        return null;
    }

    @Override
    public boolean throttled() {
        return budget.waitingForBudget();
    }
}
