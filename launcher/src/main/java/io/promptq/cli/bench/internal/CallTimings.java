package io.promptq.cli.bench.internal;

import io.promptq.llm.CallObserver;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.ProviderException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Records when the provider started and finished each job's (first) call, {@link System#nanoTime()} scale. */
public final class CallTimings implements CallObserver {

    private final Map<String, Long> starts = new ConcurrentHashMap<>();
    private final Map<String, Long> ends = new ConcurrentHashMap<>();

    @Override
    public void onCallStart(LlmRequest request) {
        starts.putIfAbsent(request.jobId(), System.nanoTime());
    }

    @Override
    public void onCallEnd(LlmRequest request, ProviderException failure) {
        ends.putIfAbsent(request.jobId(), System.nanoTime());
    }

    /** Call start per job id. */
    public Map<String, Long> starts() {
        return starts;
    }

    /** Call end per job id. */
    public Map<String, Long> ends() {
        return ends;
    }
}
