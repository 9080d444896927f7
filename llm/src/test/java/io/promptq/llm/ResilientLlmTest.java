package io.promptq.llm;

import static io.promptq.llm.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResilientLlmTest {

    private static final String MODEL = "small";
    private static final LatencyDistribution INSTANT = LatencyDistribution.fixed(Duration.ZERO);

    /** Breaker that opens after 4 calls with >= 50 % transient failures and stays open 500 ms. */
    private static final ResilienceConfig FAST_BREAKER = breaker(4, 4, Duration.ofMillis(500));

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<ResilientLlm> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() {
        toClose.forEach(ResilientLlm::close);
    }

    private ResilientLlm guard(LlmProvider provider, ResilienceConfig config, Clock clock) {
        ResilientLlm llm = ResilientLlm.create(provider, config, meters, clock);
        toClose.add(llm);
        return llm;
    }

    /** A clock reading {@code now}, which the test moves. */
    private static Clock clockOf(AtomicReference<Instant> now) {
        return new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
    }

    private ResilientLlm guard(LlmProvider provider, ResilienceConfig config) {
        ResilientLlm llm = ResilientLlm.create(provider, config, meters);
        toClose.add(llm);
        return llm;
    }

    private static SimulatedLlm simulated(SimulatedSettings settings) {
        return LlmProviders.simulated(settings.toBuilder().latency(INSTANT).build());
    }

    @Test
    void openBreakerRefusesCallsAtOnceUntilItsHalfOpenTimeWhileOtherModelsKeepFlowing() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.builder().outage(true).build());
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        ResilientLlm llm = guard(sim, FAST_BREAKER, clockOf(now));
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> llm.call(request("job-fail", MODEL)))
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR));
        }
        assertThat(llm.intakeBlocked(MODEL)).isTrue();
        assertThat(llm.blockedModels()).containsExactly(MODEL);
        sim.setOutage(false);

        long started = System.nanoTime();
        for (int i = 0; i < 20; i++) {
            ModelUnavailableException refused = catchThrowableOfType(ModelUnavailableException.class,
                    () -> llm.call(request("job-parked", MODEL)));
            assertThat(refused.model()).isEqualTo(MODEL);
            assertThat(refused.retryAt()).isEqualTo(now.get().plus(FAST_BREAKER.breakerOpenDuration()));
            assertThat(llm.call(request("job-other", "other-model")).text()).isNotBlank();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("nothing waited for the breaker").isLessThan(Duration.ofMillis(400));
        assertThat(sim.calls()).isEqualTo(4 + 20);
        assertThat(breakerWaits()).isEqualTo(20);

        awaitTrue(() -> !llm.intakeBlocked(MODEL), Duration.ofSeconds(5));
        assertThat(llm.call(request("job-parked", MODEL)).text()).isNotBlank();
        assertThat(llm.blockedModels()).isEmpty();
    }

    @Test
    void failedTrialReopensTheBreakerAndTheNextTrialAfterTheOutageSucceeds() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.builder().outage(true).build());
        ResilientLlm llm = guard(sim, breaker(2, 2, Duration.ofMillis(200)));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> llm.call(request("job-fail", MODEL))).isInstanceOf(ProviderException.class);
        }
        assertThatThrownBy(() -> llm.call(request("job-parked", MODEL))).isInstanceOf(ModelUnavailableException.class);

        awaitTrue(() -> !llm.intakeBlocked(MODEL), Duration.ofSeconds(5));
        assertThatThrownBy(() -> llm.call(request("job-trial", MODEL)))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR));
        assertThat(llm.intakeBlocked(MODEL)).isTrue();
        assertThatThrownBy(() -> llm.call(request("job-parked", MODEL))).isInstanceOf(ModelUnavailableException.class);

        sim.setOutage(false);
        awaitTrue(() -> !llm.intakeBlocked(MODEL), Duration.ofSeconds(5));
        assertThat(llm.call(request("job-trial-2", MODEL)).text()).isNotBlank();
        assertThat(sim.calls()).isEqualTo(2 + 1 + 1);
    }

    @Test
    void providerRefusingAModelPausesOnlyThatModelWithDoublingBackoffUntilATrialSucceeds() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        AtomicInteger status = new AtomicInteger(401);
        AtomicInteger callsOfA = new AtomicInteger();
        LlmProvider provider = new LlmProvider() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                if (request.model().equals("a")) {
                    callsOfA.incrementAndGet();
                    if (status.get() != 200) {
                        ErrorClass c = status.get() == 404 ? ErrorClass.INVALID_REQUEST : ErrorClass.AUTHENTICATION;
                        throw new ProviderException(c, "HTTP " + status.get() + " invalid api key", status.get(), null, null);
                    }
                }
                return new LlmResponse("ok", "stop", 1, 1);
            }
        };
        ResilientLlm llm = guard(provider, FAST_BREAKER, clockOf(now));
        Instant t0 = now.get();

        ModelUnavailableException first = catchThrowableOfType(ModelUnavailableException.class, () -> llm.call(request("j1", "a")));
        assertThat(first.retryAt()).isEqualTo(t0.plusSeconds(5));
        assertThat(first.getCause()).isInstanceOf(ProviderException.class);
        assertThat(llm.unavailableModels()).containsOnlyKeys("a");
        assertThat(llm.unavailableModels().get("a")).contains("provider answered 401");
        assertThat(meters.get(LlmMeters.MODELS_UNAVAILABLE).gauge().value()).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> llm.call(request("jx", "a"))).isInstanceOf(ModelUnavailableException.class);
            assertThat(llm.call(request("jb", "b")).text()).isEqualTo("ok");
        }
        assertThat(callsOfA).as("paused: no further calls").hasValue(1);
        assertThat(llm.intakeBlocked("a")).as("401s never open the breaker").isFalse();

        now.set(t0.plusSeconds(5));
        status.set(404);
        ModelUnavailableException trial = catchThrowableOfType(ModelUnavailableException.class, () -> llm.call(request("j2", "a")));
        assertThat(trial.retryAt()).as("backoff doubled").isEqualTo(t0.plusSeconds(5 + 10));
        assertThat(llm.unavailableModels().get("a")).contains("provider answered 404");
        assertThat(callsOfA).hasValue(2);

        now.set(t0.plusSeconds(15));
        status.set(200);
        assertThat(llm.call(request("j3", "a")).text()).isEqualTo("ok");
        assertThat(llm.unavailableModels()).isEmpty();
        assertThat(meters.get(LlmMeters.MODELS_UNAVAILABLE).gauge().value()).isZero();
        assertThat(llm.call(request("j4", "a")).text()).isEqualTo("ok");
    }

    @Test
    void badRequestAnswersStayJobFaultsAndPauseNothing() {
        LlmProvider provider = new LlmProvider() {
            @Override
            public String name() {
                return "fake";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                int code = request.jobId().equals("j400") ? 400 : 422;
                throw new ProviderException(ErrorClass.INVALID_REQUEST, "HTTP " + code, code, null, null);
            }
        };
        ResilientLlm llm = guard(provider, FAST_BREAKER);

        for (String job : List.of("j400", "j422", "j400")) {
            assertThatThrownBy(() -> llm.call(request(job, MODEL)))
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST));
        }
        assertThat(llm.unavailableModels()).isEmpty();
    }
    @Test
    void rateLimitedAndPermanentFailuresNeverOpenTheBreaker() {
        ResilientLlm rateLimited = guard(simulated(SimulatedSettings.builder().rateLimitedRate(1).build()), FAST_BREAKER);
        ResilientLlm permanent = guard(simulated(SimulatedSettings.builder().permanentRate(1).build()), FAST_BREAKER);

        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> rateLimited.call(request("job", MODEL)))
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED));
            assertThatThrownBy(() -> permanent.call(request("job", MODEL)))
                    .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST));
        }

        assertThat(rateLimited.intakeBlocked(MODEL)).isFalse();
        assertThat(permanent.intakeBlocked(MODEL)).isFalse();
    }

    @Test
    void disabledBreakerLetsEveryFailureThroughAndNeverBlocksIntake() {
        SimulatedLlm sim = simulated(SimulatedSettings.builder().transientRate(1).build());
        ResilientLlm llm = guard(sim, FAST_BREAKER.toBuilder().breakerEnabled(false).build());

        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> llm.call(request("job", MODEL))).isInstanceOf(ProviderException.class);
        }

        assertThat(sim.calls()).isEqualTo(20);
        assertThat(llm.intakeBlocked(MODEL)).isFalse();
    }

    @Test
    void interruptAbortsACallWaitingForARateLimit() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().rateLimitRps(0.01).rateLimitTpm(0).build());
        llm.call(request("job-first", MODEL));
        AtomicReference<ProviderException> failure = new AtomicReference<>();
        AtomicBoolean interruptFlagKept = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                llm.call(request("job-waiting", MODEL));
            } catch (ProviderException e) {
                failure.set(e);
                interruptFlagKept.set(Thread.currentThread().isInterrupted());
            }
        });
        awaitTrue(() -> counter(LlmMeters.RATE_LIMIT_WAITS, LlmMeters.LIMIT_RPS) >= 1, Duration.ofSeconds(5));

        waiter.interrupt();
        waiter.join(Duration.ofSeconds(5));

        assertThat(failure.get()).isNotNull();
        assertThat(failure.get().errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(failure.get().getMessage()).contains("interrupted").contains("job-waiting");
        assertThat(interruptFlagKept).isTrue();
        assertThat(sim.calls()).isEqualTo(1);
    }
    @Test
    void deadlinePassingDuringARateLimitWaitEndsTheCallWithoutSendingIt() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        // One request per 100 s: the second call waits about 100 s for its budget.
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().rateLimitRps(0.01).rateLimitTpm(0).build(), clockOf(now));
        llm.call(request("job-first", MODEL));
        LlmRequest late = request("job-late", MODEL).withDeadline(now.get().plusSeconds(5));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<LlmResponse> waiting = threads.submit(() -> llm.call(late));
            awaitTrue(() -> counter(LlmMeters.RATE_LIMIT_WAITS, LlmMeters.LIMIT_RPS) >= 1, Duration.ofSeconds(5));
            now.set(now.get().plusSeconds(6));

            ExecutionException e = catchThrowableOfType(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
            assertThat(e.getCause()).isInstanceOf(DeadlinePassedException.class).hasMessageContaining("job-late");
        }
        assertThat(sim.calls()).isEqualTo(1);
    }

    @Test
    void requestWhoseDeadlineHasPassedIsNeverSent() {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        ResilientLlm llm = guard(sim, ResilienceConfig.defaults(), clockOf(now));

        assertThatThrownBy(() -> llm.call(request("job-late", MODEL).withDeadline(now.get())))
                .isInstanceOf(DeadlinePassedException.class);
        assertThat(sim.calls()).isZero();
    }

    @Test
    void closeAbortsWaitingCalls() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        ResilientLlm llm = ResilientLlm.create(sim, ResilienceConfig.builder().rateLimitRps(0.01).rateLimitTpm(0).build(), meters);
        llm.call(request("job-first", MODEL));
        AtomicReference<ProviderException> failure = new AtomicReference<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                llm.call(request("job-waiting", MODEL));
            } catch (ProviderException e) {
                failure.set(e);
            }
        });
        awaitTrue(() -> counter(LlmMeters.RATE_LIMIT_WAITS, LlmMeters.LIMIT_RPS) >= 1, Duration.ofSeconds(5));

        llm.close();
        waiter.join(Duration.ofSeconds(5));

        assertThat(failure.get()).isNotNull();
        assertThat(failure.get().errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(failure.get().getMessage()).contains("closed");
    }
    @Test
    void hardDeadlineAbandonsAProviderThatIgnoresItsTimeout() {
        CountDownLatch providerInterrupted = new CountDownLatch(1);
        LlmProvider stuck = new LlmProvider() {
            @Override
            public String name() {
                return "stuck";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    providerInterrupted.countDown();
                }
                return new LlmResponse("too late", "stop", 1, 1);
            }
        };
        ResilientLlm llm = guard(stuck, ResilienceConfig.defaults());

        long start = System.nanoTime();
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> llm.call(request("job-stuck", MODEL, "hi", Duration.ofMillis(100))));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(e.getMessage()).contains("hard deadline").contains("job-stuck");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(awaitLatch(providerInterrupted)).isTrue();
    }

    @Test
    void callTimeoutCapsALongerRequestTimeout() {
        SimulatedLlm sim = simulated(SimulatedSettings.builder().timeoutRate(1).build());
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().callTimeout(Duration.ofMillis(100)).build());
        long start = System.nanoTime();

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> llm.call(request("job", MODEL, "hi", Duration.ofMinutes(10))));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(e.getMessage()).contains("100ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void unexpectedProviderExceptionIsClassifiedAsServerError() {
        LlmProvider buggy = new LlmProvider() {
            @Override
            public String name() {
                return "buggy";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                throw new IllegalStateException("boom");
            }
        };
        ResilientLlm llm = guard(buggy, ResilienceConfig.defaults());

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> llm.call(request("job", MODEL)));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        assertThat(llm.providerName()).isEqualTo("buggy");
    }

    @Test
    void requestRateLimitMakesCallsWaitWithoutFailing() throws Exception {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        ConcurrentLinkedQueue<Long> starts = new ConcurrentLinkedQueue<>();
        sim.addObserver(new CallObserver() {
            @Override
            public void onCallStart(LlmRequest request) {
                starts.add(System.nanoTime());
            }
        });
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().rateLimitRps(50).rateLimitTpm(0).build());

        long begin = System.nanoTime();
        int failures = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LlmResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String jobId = "job-" + i;
                calls.add(threads.submit(() -> llm.call(request(jobId, MODEL))));
            }
            for (Future<LlmResponse> call : calls) {
                try {
                    call.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failures++;
                }
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(failures).isZero();
        assertThat(starts).hasSize(100);
        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
        long first = starts.stream().mapToLong(Long::longValue).min().orElseThrow();
        long inFirstSecond = starts.stream().filter(t -> t - first < 1_000_000_000L).count();
        // 50/s refilled as 5 every 100 ms: at most 50 + a burst of 5 in any second, +10 % slack.
        assertThat(inFirstSecond).isLessThanOrEqualTo(60);
        assertThat(counter(LlmMeters.RATE_LIMIT_WAITS, LlmMeters.LIMIT_RPS)).isGreaterThan(50);
        System.out.printf("rate limit 50 rps: 100 calls took %d ms, %d started in the first second%n", elapsed.toMillis(), inFirstSecond);
    }

    @Test
    void tokenRateLimitMakesLargeRequestsWait() {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        // 6000 tokens/min = 100 tokens/s; each call is estimated at 40/4 + 90 = 100 tokens.
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().rateLimitRps(0).rateLimitTpm(6_000).build());
        LlmRequest hundredTokens = new LlmRequest("job", MODEL, List.of(new LlmRequest.Message("user", "x".repeat(40))), 0, 90, java.util.Map.of(), Duration.ofSeconds(5));

        long begin = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            llm.call(hundredTokens);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);

        assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(1_950));
        assertThat(counter(LlmMeters.RATE_LIMIT_WAITS, LlmMeters.LIMIT_TPM)).isEqualTo(3);
        System.out.printf("token limit 6000 tpm: 4 calls of 100 tokens took %d ms%n", elapsed.toMillis());
    }

    @Test
    void callsAreTimedPerOutcomeWithHistogramAndResilience4jMetersAreBoundThenRemovedOnClose() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        ResilientLlm llm = ResilientLlm.create(sim,
                ResilienceConfig.builder().rateLimitRps(100).rateLimitTpm(100_000).build(), prometheus);
        for (int i = 0; i < 3; i++) {
            llm.call(request("job-" + i, MODEL));
        }
        sim.setOutage(true);
        assertThatThrownBy(() -> llm.call(request("job-x", MODEL))).isInstanceOf(ProviderException.class);

        Timer success = prometheus.find(LlmMeters.CALL).tags(LlmMeters.TAG_PROVIDER, "simulated", LlmMeters.TAG_MODEL, MODEL, LlmMeters.TAG_OUTCOME, "success").timer();
        Timer failed = prometheus.find(LlmMeters.CALL).tags(LlmMeters.TAG_OUTCOME, "server_error").timer();
        assertThat(success).isNotNull();
        assertThat(success.count()).isEqualTo(3);
        assertThat(failed).isNotNull();
        assertThat(failed.count()).isEqualTo(1);
        String scrape = prometheus.scrape();
        assertThat(scrape)
                .contains("promptq_llm_call_seconds_bucket{")
                .contains("resilience4j_circuitbreaker_state{")
                .contains("name=\"simulated:small\"")
                .contains("resilience4j_ratelimiter_available_permissions{")
                .contains("name=\"simulated:small:rps\"")
                .contains("name=\"simulated:small:tpm\"");

        llm.close();

        assertThat(prometheus.find(LlmMeters.CALL).timers()).isEmpty();
        assertThat(prometheus.find("resilience4j.circuitbreaker.state").gauges()).isEmpty();
        assertThat(prometheus.find("resilience4j.ratelimiter.available.permissions").gauges()).isEmpty();
        assertThatThrownBy(() -> llm.call(request("job", MODEL)))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.getMessage()).contains("closed"));
    }

    @Test
    void modelsHaveIndependentBreakers() {
        SimulatedLlm sim = simulated(SimulatedSettings.builder().outage(true).build());
        ResilientLlm llm = guard(sim, FAST_BREAKER);
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> llm.call(request("job", "big"))).isInstanceOf(ProviderException.class);
        }
        sim.setOutage(false);

        assertThat(llm.blockedModels()).isEqualTo(Set.of("big"));
        assertThat(llm.call(request("job", MODEL)).text()).isNotBlank();
    }

    @Test
    void manyDistinctModelsKeepGuardsAndMeterSeriesBounded() {
        SimulatedLlm sim = simulated(SimulatedSettings.defaults());
        ResilientLlm llm = guard(sim, ResilienceConfig.builder().maxModels(20).rateLimitRps(1000).build());

        for (int i = 0; i < 2_000; i++) {
            assertThat(llm.call(request("job-" + i, "model-" + i)).text()).isNotBlank();
        }

        Set<String> breakers = new HashSet<>();
        meters.find("resilience4j.circuitbreaker.state").gauges().forEach(g -> breakers.add(g.getId().getTag("name")));
        assertThat(breakers).as("breakers held").hasSizeLessThanOrEqualTo(20).contains("simulated:model-1999");
        Set<String> limiters = new HashSet<>();
        meters.find("resilience4j.ratelimiter.available.permissions").gauges().forEach(g -> limiters.add(g.getId().getTag("name")));
        assertThat(limiters).as("limiters held").hasSizeLessThanOrEqualTo(20);
        Set<String> modelTags = new HashSet<>();
        meters.getMeters().forEach(m -> {
            String model = m.getId().getTag(LlmMeters.TAG_MODEL);
            if (model != null) {
                modelTags.add(model);
            }
        });
        assertThat(modelTags).as("model tags").hasSize(21).contains("model-0", "model-19", "other").doesNotContain("model-20");
        assertThat(meters.find(LlmMeters.CALL).tag(LlmMeters.TAG_MODEL, "other").timer().count()).isEqualTo(2_000 - 20);
        assertThat(llm.call(request("job-again", "model-0")).text()).as("a dropped model comes back").isNotBlank();
    }

    private double breakerWaits() {
        Counter counter = meters.find(LlmMeters.BREAKER_WAITS).counter();
        return counter == null ? 0 : counter.count();
    }

    private double counter(String name, String limit) {
        Counter counter = meters.find(name).tag(LlmMeters.TAG_LIMIT, limit).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void awaitTrue(BooleanSupplier condition, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + max);
            }
            Thread.sleep(10);
        }
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A breaker opening at 50 % failures of {@code window} calls, at least {@code minCalls}, with one trial call. */
    private static ResilienceConfig breaker(int minCalls, int window, Duration openDuration) {
        return ResilienceConfig.builder().breakerFailureRate(50).breakerMinCalls(minCalls).breakerWindow(window)
                .breakerOpenDuration(openDuration).breakerHalfOpenCalls(1).build();
    }
}
