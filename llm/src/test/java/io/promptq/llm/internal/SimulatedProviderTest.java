package io.promptq.llm.internal;

import static io.promptq.llm.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.promptq.llm.CallObserver;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimulatedProviderTest {

    private static final LatencyDistribution INSTANT = LatencyDistribution.fixed(Duration.ZERO);

    private static SimulatedSettings instant() {
        return SimulatedSettings.builder().latency(INSTANT).build();
    }

    @Test
    void failureRatesMatchTheConfigurationWithinStatisticalTolerance() {
        SimulatedSettings settings = instant()
                .toBuilder().transientRate(0.10).rateLimitedRate(0.05).timeoutRate(0.03).permanentRate(0.02).build();
        SimulatedLlm sim = LlmProviders.simulated(settings);
        int n = 10_000;
        Map<ErrorClass, Integer> failures = new EnumMap<>(ErrorClass.class);
        int successes = 0;
        for (int i = 0; i < n; i++) {
            try {
                sim.complete(request("job-" + i, "small", "hi", Duration.ofMillis(1)));
                successes++;
            } catch (ProviderException e) {
                failures.merge(e.errorClass(), 1, Integer::sum);
            }
        }

        assertRate(failures.getOrDefault(ErrorClass.SERVER_ERROR, 0), n, 0.10);
        assertRate(failures.getOrDefault(ErrorClass.RATE_LIMITED, 0), n, 0.05);
        assertRate(failures.getOrDefault(ErrorClass.TIMEOUT, 0), n, 0.03);
        assertRate(failures.getOrDefault(ErrorClass.INVALID_REQUEST, 0), n, 0.02);
        assertRate(successes, n, 0.80);
        assertThat(failures.keySet()).containsOnly(ErrorClass.SERVER_ERROR, ErrorClass.RATE_LIMITED, ErrorClass.TIMEOUT, ErrorClass.INVALID_REQUEST);
    }

    @Test
    void sameSeedReproducesTheSameOutcomesInASingleThreadedRun() {
        SimulatedSettings settings = instant().toBuilder().transientRate(0.3).permanentRate(0.1).seed(7).build();

        List<ErrorClass> first = outcomes(LlmProviders.simulated(settings), 300);
        List<ErrorClass> second = outcomes(LlmProviders.simulated(settings), 300);
        List<ErrorClass> otherSeed = outcomes(LlmProviders.simulated(settings.toBuilder().seed(8).build()), 300);

        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void retriesOfAFailedJobGetFreshDrawsAndEventuallySucceed() {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().transientRate(0.5).build());
        int failuresBeforeSuccess = 0;
        LlmResponse response = null;
        while (response == null && failuresBeforeSuccess < 50) {
            try {
                response = sim.complete(request("job-retried", "small"));
            } catch (ProviderException e) {
                assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
                failuresBeforeSuccess++;
            }
        }

        assertThat(response).isNotNull();
        assertThat(sim.calls()).isEqualTo(failuresBeforeSuccess + 1L);
    }

    @Test
    void outageFailsEveryCallWith503UntilSwitchedOff() {
        SimulatedLlm sim = LlmProviders.simulated(instant());
        sim.setOutage(true);

        for (int i = 0; i < 20; i++) {
            ProviderException e = catchThrowableOfType(ProviderException.class, () -> sim.complete(request("job", "small")));
            assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
            assertThat(e.httpStatus()).hasValue(503);
            assertThat(e.retryable()).isTrue();
        }
        sim.setOutage(false);

        assertThat(sim.complete(request("job", "small")).text()).isNotBlank();
    }

    @Test
    void rateLimitedFailureCarriesTheConfiguredRetryAfter() {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().rateLimitedRate(1).retryAfter(Duration.ofSeconds(7)).build());

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> sim.complete(request("job", "small")));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(e.httpStatus()).hasValue(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }

    @Test
    void permanentFailureIsANonRetryable400() {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().permanentRate(1).build());

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> sim.complete(request("job-9", "small")));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST);
        assertThat(e.httpStatus()).hasValue(400);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("job-9");
    }

    @Test
    void timeoutOutcomeHangsUntilTheRequestTimeoutThenThrows() {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().timeoutRate(1).build());
        long start = System.nanoTime();

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> sim.complete(request("job", "small", "hi", Duration.ofMillis(200))));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void latencyBeyondTheRequestTimeoutBecomesATimeout() {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().latency(LatencyDistribution.fixed(Duration.ofSeconds(30))).build());

        assertThatThrownBy(() -> sim.complete(request("job", "small", "hi", Duration.ofMillis(50))))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT));
    }

    @Test
    void successEchoesThePromptAndEstimatesTokensAtFourCharactersEach() {
        SimulatedLlm sim = LlmProviders.simulated(instant());
        String prompt = "x".repeat(400);

        LlmResponse response = sim.complete(request("job", "small", prompt, Duration.ofSeconds(1)));

        assertThat(response.promptTokens()).isEqualTo(100);
        assertThat(response.text()).startsWith("[simulated small] xxx");
        assertThat(response.completionTokens()).isEqualTo((response.text().length() + 3) / 4);
        assertThat(response.finishReason()).isEqualTo("stop");
        assertThat(sim.complete(request("job", "small", prompt, Duration.ofSeconds(1)))).isEqualTo(response);
    }

    @Test
    void answerLongerThanMaxTokensIsTruncatedWithFinishReasonLength() {
        SimulatedLlm sim = LlmProviders.simulated(instant());
        LlmRequest tiny = new LlmRequest("job", "small", List.of(new LlmRequest.Message("user", "a long enough prompt")), 0, 2, Map.of(), Duration.ofSeconds(1));

        LlmResponse response = sim.complete(tiny);

        assertThat(response.text()).hasSize(8);
        assertThat(response.completionTokens()).isEqualTo(2);
        assertThat(response.finishReason()).isEqualTo("length");
    }

    @Test
    void emptyConversationIsAnInvalidRequest() {
        SimulatedLlm sim = LlmProviders.simulated(instant());
        LlmRequest empty = new LlmRequest("job", "small", List.of(), 0, 10, Map.of(), Duration.ofSeconds(1));

        assertThatThrownBy(() -> sim.complete(empty))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST));
    }

    @Test
    void observersSeeEveryCallStartAndEndWithItsFailureAndCanCountInFlightCalls() throws Exception {
        SimulatedLlm sim = LlmProviders.simulated(instant().toBuilder().latency(LatencyDistribution.fixed(Duration.ofMillis(50))).transientRate(0.5).build());
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger starts = new AtomicInteger();
        AtomicInteger failuresSeen = new AtomicInteger();
        sim.addObserver(new CallObserver() {
            @Override
            public void onCallStart(LlmRequest request) {
                starts.incrementAndGet();
                int now = inFlight.computeIfAbsent(request.model(), m -> new AtomicInteger()).incrementAndGet();
                maxInFlight.accumulateAndGet(now, Math::max);
            }

            @Override
            public void onCallEnd(LlmRequest request, ProviderException failure) {
                inFlight.get(request.model()).decrementAndGet();
                if (failure != null) {
                    failuresSeen.incrementAndGet();
                }
            }
        });
        sim.addObserver(new CallObserver() {
            @Override
            public void onCallStart(LlmRequest request) {
                throw new IllegalStateException("a broken observer must not break calls");
            }
        });

        int failuresThrown = 0;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<LlmResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String jobId = "job-" + i;
                calls.add(threads.submit(() -> sim.complete(request(jobId, "small"))));
            }
            for (Future<LlmResponse> call : calls) {
                try {
                    call.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ProviderException.class);
                    failuresThrown++;
                }
            }
        }

        assertThat(starts).hasValue(40);
        assertThat(inFlight.get("small")).hasValue(0);
        assertThat(maxInFlight.get()).isGreaterThan(1);
        assertThat(failuresSeen).hasValue(failuresThrown);
        assertThat(failuresThrown).isPositive();
    }

    @Test
    void latencyCanBeChangedWhileRunning() {
        SimulatedLlm sim = LlmProviders.simulated(SimulatedSettings.defaults());
        sim.setLatency(LatencyDistribution.fixed(Duration.ofSeconds(30)));

        assertThat(sim.latency()).isEqualTo(LatencyDistribution.fixed(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> sim.complete(request("job", "small", "hi", Duration.ofMillis(20))))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT));
    }

    private static List<ErrorClass> outcomes(SimulatedLlm sim, int calls) {
        List<ErrorClass> outcomes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            try {
                sim.complete(request("job-" + (i % 17), "small"));
                outcomes.add(null);
            } catch (ProviderException e) {
                outcomes.add(e.errorClass());
            }
        }
        return outcomes;
    }

    /** Observed share within four standard deviations (plus a little slack) of the configured probability. */
    private static void assertRate(int count, int n, double p) {
        double tolerance = 4 * Math.sqrt(p * (1 - p) / n) + 0.002;
        assertThat((double) count / n).as("rate %s", p).isBetween(p - tolerance, p + tolerance);
    }
}
