package io.promptq.worker;

import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An instrumented provider for ITs: its behaviour per call is scripted by the test ({@link Script}), and it
 * records per job the start time of every call and the peak number of concurrent calls - overall and per group
 * (e.g. per source partition, given a job-to-partition map).
 */
final class ItProvider implements LlmProvider {

    /** What to do for one call; {@code attempt} counts this provider's calls for the job, from 1. */
    @FunctionalInterface
    interface Script {
        LlmResponse answer(LlmRequest request, int attempt) throws InterruptedException;
    }

    final Map<String, List<Long>> callStarts = new ConcurrentHashMap<>();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<Object, AtomicInteger> runningByGroup = new ConcurrentHashMap<>();
    final Map<Object, Integer> maxByGroup = new ConcurrentHashMap<>();
    private final Script script;
    private volatile Function<String, Object> groupOf = id -> "all";

    ItProvider(Script script) {
        this.script = script;
    }

    /** Answers after {@code latency}. */
    static ItProvider withLatency(Duration latency) {
        return new ItProvider((request, attempt) -> ok(request, latency));
    }

    static LlmResponse ok(LlmRequest request, Duration latency) throws InterruptedException {
        Thread.sleep(latency);
        return new LlmResponse("answer to " + request.jobId(), "stop", 10, 5);
    }

    static ProviderException failure(ErrorClass errorClass) {
        return new ProviderException(errorClass, "scripted " + errorClass, errorClass == ErrorClass.INVALID_REQUEST ? 400 : 503,
                null, null);
    }

    /** Groups concurrent calls, e.g. by the partition each job was produced to. */
    ItProvider groupBy(Function<String, Object> groupOf) {
        this.groupOf = groupOf;
        return this;
    }

    int maxRunningIn(Object group) {
        return maxByGroup.getOrDefault(group, 0);
    }

    @Override
    public String name() {
        return "it";
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        List<Long> starts = callStarts.computeIfAbsent(request.jobId(), k -> new CopyOnWriteArrayList<>());
        starts.add(System.currentTimeMillis());
        calls.incrementAndGet();
        Object group = groupOf.apply(request.jobId());
        AtomicInteger inGroup = runningByGroup.computeIfAbsent(group, g -> new AtomicInteger());
        maxByGroup.merge(group, inGroup.incrementAndGet(), Math::max);
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            return script.answer(request, starts.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ErrorClass.TIMEOUT, "interrupted");
        } finally {
            inGroup.decrementAndGet();
            running.decrementAndGet();
        }
    }
}
