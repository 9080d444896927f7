package io.promptq.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.llm.ResilienceConfig;
import io.promptq.llm.ResilientLlm;
import io.promptq.schema.RetryJob;
import io.promptq.testkit.MutableClock;
import io.promptq.worker.TestJobs;
import io.promptq.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model that cannot be served (breaker open, provider answering 401/403/404) parks its own jobs on a retry tier
 * without spending an attempt, while other models' jobs on the same partitions complete at once.
 */
class ModelParkingTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final List<Duration> TIERS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(5));
    private static final Duration OPEN = Duration.ofMillis(300);

    private final MutableClock clock = new MutableClock(NOW);
    private final Map<String, Integer> failWith = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final OutcomeRecords records = new OutcomeRecords("worker-test");
    private final List<ResilientLlm> toClose = new ArrayList<>();

    @AfterEach
    void close() {
        toClose.forEach(ResilientLlm::close);
    }

    /** Answers every model, except that a model in {@link #failWith} fails with that HTTP status. */
    private final LlmProvider provider = new LlmProvider() {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public LlmResponse complete(LlmRequest request) {
            calls.computeIfAbsent(request.model(), m -> new AtomicInteger()).incrementAndGet();
            Integer status = failWith.get(request.model());
            if (status == null) {
                return new LlmResponse("ok", "stop", 3, 2);
            }
            ErrorClass c = switch (status) {
                case 401, 403 -> ErrorClass.AUTHENTICATION;
                case 400, 404, 422 -> ErrorClass.INVALID_REQUEST;
                default -> ErrorClass.SERVER_ERROR;
            };
            throw new ProviderException(c, "HTTP " + status + " from the fake", status, null, null);
        }
    };

    private ResilientLlm resilient() {
        ResilientLlm llm = ResilientLlm.create(provider, ResilienceConfig.builder().breakerFailureRate(50).breakerMinCalls(4)
                .breakerWindow(4).breakerOpenDuration(OPEN).breakerHalfOpenCalls(1).build(), new SimpleMeterRegistry(), clock);
        toClose.add(llm);
        return llm;
    }

    private JobProcessor processor(ResilientLlm llm) {
        LlmCaller caller = new LlmCaller() {
            @Override
            public String providerName() {
                return llm.providerName();
            }

            @Override
            public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
                return llm.call(request);
            }
        };
        return new JobProcessor(caller, RetryPolicy.of(TIERS, 3), clock, Duration.ofSeconds(60));
    }

    private static JobDelivery fresh(String id, String model, long offset) {
        return JobDelivery.fresh(TestJobs.job(id, model, NOW, null), new Coordinates("jobs", 0, offset));
    }

    /** The parked job as the worker reads it back from its retry tier. */
    private JobDelivery readBack(Outcome.RetryScheduled parked) {
        RetryJob record = records.retryJob(parked);
        return JobDelivery.retried(record, new Coordinates("retry." + parked.tier(), 0, 0));
    }

    private int callsOf(String model) {
        AtomicInteger n = calls.get(model);
        return n == null ? 0 : n.get();
    }

    @Test
    void openBreakerParksOnlyItsModelsJobsUntilHalfOpenWhileOtherModelsCompleteAtOnce() throws Exception {
        ResilientLlm llm = resilient();
        JobProcessor processor = processor(llm);
        failWith.put("a", 503);
        for (int i = 0; i < 4; i++) {
            assertThat(processor.process(fresh("fail-" + i, "a", i))).isInstanceOf(Outcome.RetryScheduled.class);
        }
        assertThat(llm.intakeBlocked("a")).isTrue();
        int callsOfAWhenOpened = callsOf("a");

        List<Outcome.RetryScheduled> parked = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            boolean modelA = i % 2 == 0;
            Outcome outcome = processor.process(fresh("job-" + i, modelA ? "a" : "b", 10 + i));
            if (modelA) {
                Outcome.RetryScheduled park = (Outcome.RetryScheduled) outcome;
                assertThat(park.history().attempts()).as("parking is not an attempt").isZero();
                assertThat(park.tier()).isZero();
                assertThat(park.dueAt()).as("the breaker's half-open time").isEqualTo(NOW.plus(OPEN));
                assertThat(park.history().lastError().getType()).isEqualTo(JobProcessor.MODEL_UNAVAILABLE);
                parked.add(park);
            } else {
                assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no job waited for the open breaker")
                .isLessThan(OPEN);
        assertThat(callsOf("a")).as("no provider call for a parked job").isEqualTo(callsOfAWhenOpened);
        assertThat(callsOf("b")).isEqualTo(50);

        failWith.remove("a");
        long giveUp = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (llm.intakeBlocked("a")) {
            assertThat(System.nanoTime()).as("the breaker half-opens").isLessThan(giveUp);
            Thread.sleep(10);
        }
        clock.advance(OPEN);
        for (Outcome.RetryScheduled park : parked) {
            Outcome outcome = processor.process(readBack(park));
            assertThat(outcome).isInstanceOfSatisfying(Outcome.Succeeded.class,
                    s -> assertThat(s.history().attempts()).isEqualTo(1));
        }
        assertThat(callsOf("a")).isEqualTo(callsOfAWhenOpened + 50);
    }

    @Test
    void providerRefusingAModelParksItsJobsWithoutAttemptsAndTheyRunOnceATrialSucceeds() throws Exception {
        ResilientLlm llm = resilient();
        JobProcessor processor = processor(llm);
        failWith.put("a", 401);
        failWith.put("c", 400);

        Outcome.RetryScheduled first = (Outcome.RetryScheduled) processor.process(fresh("a-1", "a", 1));
        assertThat(first.history().attempts()).isZero();
        assertThat(first.dueAt()).isEqualTo(NOW.plusSeconds(5));
        assertThat(first.tier()).as("a tier whose delay covers the pause").isEqualTo(1);
        assertThat(first.history().lastError().getHttpStatus()).isEqualTo(401);
        assertThat(llm.unavailableModels()).containsOnlyKeys("a");

        List<Outcome.RetryScheduled> parked = new ArrayList<>(List.of(first));
        for (int i = 2; i <= 20; i++) {
            parked.add((Outcome.RetryScheduled) processor.process(fresh("a-" + i, "a", i)));
            assertThat(processor.process(fresh("b-" + i, "b", 100 + i))).isInstanceOf(Outcome.Succeeded.class);
        }
        assertThat(callsOf("a")).as("one refused call, then the model is paused").isEqualTo(1);
        assertThat(parked).allSatisfy(p -> assertThat(p.history().attempts()).isZero());

        Outcome badRequest = processor.process(fresh("c-1", "c", 200));
        assertThat(badRequest).isInstanceOfSatisfying(Outcome.DeadLettered.class,
                d -> assertThat(d.reason()).isEqualTo(DeadLetterReason.PERMANENT_ERROR));
        assertThat(llm.unavailableModels()).as("400 is a fault of the job").containsOnlyKeys("a");

        failWith.remove("a");
        clock.advance(Duration.ofSeconds(5));
        for (Outcome.RetryScheduled park : parked) {
            assertThat(processor.process(readBack(park))).isInstanceOfSatisfying(Outcome.Succeeded.class,
                    s -> assertThat(s.history().attempts()).isEqualTo(1));
        }
        assertThat(llm.unavailableModels()).isEmpty();
        assertThat(callsOf("a")).isEqualTo(1 + 20);
    }
}
