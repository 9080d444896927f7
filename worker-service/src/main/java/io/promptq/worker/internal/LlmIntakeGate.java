package io.promptq.worker.internal;

import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.processing.LlmCaller;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Closes intake while the breaker of any model this worker has served is open: the worker pauses all its
 * partitions instead of failing jobs into retries, and resumes when the breaker half-opens. Jobs already
 * running wait inside the guard without spending attempts.
 */
final class LlmIntakeGate implements IntakeGate {

    private final LlmCaller llm;
    private final ResilientLlmCaller budget;
    private final Set<String> models = ConcurrentHashMap.newKeySet();

    LlmIntakeGate(LlmCaller llm, ResilientLlmCaller budget) {
        this.llm = llm;
        this.budget = budget;
    }

    /** Records that a job for {@code model} was seen (cheap when already known). */
    void seen(String model) {
        if (!models.contains(model)) {
            models.add(model);
        }
    }

    @Override
    public @Nullable PauseReason blocked() {
        for (String model : models) {
            if (llm.intakeBlocked(model)) {
                return PauseReason.BREAKER;
            }
        }
        return null;
    }

    @Override
    public boolean throttled() {
        return budget != null && budget.waitingForBudget();
    }
}
