package io.promptq.worker.processing;

import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.LongConsumer;

/** A fake {@link LlmCaller}: answers from a script, advancing a fake clock by each step's latency. */
final class ScriptedLlm implements LlmCaller {

    private record Step(Duration latency, LlmResponse response, RuntimeException failure, long reportedMillis) {}

    private final MutableClock clock;
    private final Deque<Step> script = new ArrayDeque<>();
    final List<LlmRequest> calls = new ArrayList<>();

    ScriptedLlm(MutableClock clock) {
        this.clock = clock;
    }

    ScriptedLlm answers(Duration latency, String text) {
        script.add(new Step(latency, new LlmResponse(text, "stop", 11, 7), null, -1));
        return this;
    }

    ScriptedLlm fails(Duration latency, ErrorClass errorClass) {
        script.add(new Step(latency, null, new ProviderException(errorClass, errorClass + " from test", 503, null, null), -1));
        return this;
    }

    ScriptedLlm fails(Duration latency, RuntimeException failure) {
        script.add(new Step(latency, null, failure, -1));
        return this;
    }

    /** Takes {@code wall} in total but reports only {@code providerMillis} of provider time (the rest was waiting). */
    ScriptedLlm answersAfterWaiting(Duration wall, long providerMillis) {
        script.add(new Step(wall, new LlmResponse("ok", "stop", 1, 1), null, providerMillis));
        return this;
    }

    @Override
    public String providerName() {
        return "scripted";
    }

    @Override
    public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
        calls.add(request);
        Step step = script.poll();
        if (step == null) {
            throw new AssertionError("unexpected provider call for " + request.jobId());
        }
        clock.advance(step.latency());
        if (step.reportedMillis() >= 0) {
            providerMillis.accept(step.reportedMillis());
        }
        if (step.failure() != null) {
            throw step.failure();
        }
        return step.response();
    }
}
