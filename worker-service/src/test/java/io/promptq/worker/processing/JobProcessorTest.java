package io.promptq.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmMeters;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.llm.ResilienceConfig;
import io.promptq.llm.ResilientLlm;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.schema.TokenUsage;
import io.promptq.testkit.MutableClock;
import io.promptq.worker.TestJobs;
import io.promptq.worker.retry.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

class JobProcessorTest {

    private static final Instant SUBMITTED = Instant.parse("2026-11-23T10:00:00Z");
    private static final Coordinates SOURCE = new Coordinates("jobs", 2, 41);
    private static final List<Duration> TIERS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

    private final MutableClock clock = new MutableClock(SUBMITTED.plusMillis(250));
    private final ScriptedLlm llm = new ScriptedLlm(clock);
    private final List<Duration> sleeps = new ArrayList<>();

    private JobProcessor processor(RetryPolicy policy) {
        return new JobProcessor(llm, policy, clock, Duration.ofSeconds(60), d -> {
            sleeps.add(d);
            clock.advance(d);
        });
    }

    private JobProcessor processor() {
        return processor(RetryPolicy.of(TIERS, 3).withRandom(() -> 0.5));
    }

    @Test
    void successRecordsTheAttemptItsProviderTimeAndTokens() throws Exception {
        llm.answers(Duration.ofMillis(200), "hi");

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("j1", SUBMITTED), SOURCE));

        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        JobHistory h = outcome.history();
        assertThat(h.attempts()).isEqualTo(1);
        assertThat(h.attemptDurationsMs()).containsExactly(200L);
        assertThat(h.promptTokens()).isEqualTo(11);
        assertThat(h.completionTokens()).isEqualTo(7);
        assertThat(h.firstStartedAt()).isEqualTo(SUBMITTED.plusMillis(250));
        assertThat(h.decidedAt()).isEqualTo(SUBMITTED.plusMillis(450));
        assertThat(h.lastError()).isNull();
        assertThat(h.provider()).isEqualTo("scripted");
        assertThat(llm.calls).singleElement().satisfies(r -> {
            assertThat(r.jobId()).isEqualTo("j1");
            assertThat(r.messages()).extracting(m -> m.role()).containsExactly("system", "user");
            assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(60));
        });
    }

    @Test
    void everyProviderAttemptIsAnnouncedWithItsNumberCountingEarlierDeliveries() throws Exception {
        llm.fails(Duration.ofMillis(10), ErrorClass.SERVER_ERROR).answers(Duration.ofMillis(10), "hi");
        List<String> started = new ArrayList<>();
        JobProcessor processor = new JobProcessor(llm, RetryPolicy.of(TIERS, 5).withLocalRetries(1, Duration.ofMillis(5))
                .withRandom(() -> 0.5), clock, Duration.ofSeconds(60), clock::advance,
                (job, attempt) -> started.add(job.getJobId() + "#" + attempt));
        PromptJob job = TestJobs.job("j-att", SUBMITTED);

        Outcome outcome = processor.process(new JobDelivery(job, SOURCE, SOURCE, 0, 2, List.of(5L, 5L), 0, 0,
                SUBMITTED, SUBMITTED, null, SUBMITTED));

        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(started).containsExactly("j-att#3", "j-att#4");
    }

    @Test
    void jobPastItsDeadlineExpiresWithoutCallingTheProvider() throws Exception {
        PromptJob job = TestJobs.job("late", "m", SUBMITTED, SUBMITTED.plusMillis(100));

        Outcome outcome = processor().process(JobDelivery.fresh(job, SOURCE));

        assertThat(outcome).isInstanceOf(Outcome.Expired.class);
        assertThat(outcome.history().attempts()).isZero();
        assertThat(llm.calls).isEmpty();
    }

    @Test
    void jobWhoseDeadlinePassesDuringARateLimitWaitExpiresWithoutReachingTheProvider() throws Exception {
        List<String> sent = new CopyOnWriteArrayList<>();
        LlmProvider provider = new LlmProvider() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public LlmResponse complete(LlmRequest request) {
                sent.add(request.jobId());
                return new LlmResponse("ok", "stop", 1, 1);
            }
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // One request per 100 s: the second job waits about 100 s for its budget.
        try (ResilientLlm resilient = ResilientLlm.create(provider,
                ResilienceConfig.builder().rateLimitRps(0.01).build(), meters, clock);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            LlmCaller caller = new LlmCaller() {
                @Override
                public String providerName() {
                    return resilient.providerName();
                }

                @Override
                public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
                    return resilient.call(request);
                }
            };
            JobProcessor processor = new JobProcessor(caller, RetryPolicy.of(TIERS, 3), clock, Duration.ofSeconds(60));
            assertThat(processor.process(JobDelivery.fresh(TestJobs.job("first", SUBMITTED), SOURCE)))
                    .isInstanceOf(Outcome.Succeeded.class);
            PromptJob job = TestJobs.job("late", "test-model", SUBMITTED, clock.instant().plusSeconds(5));

            Future<Outcome> outcome = threads.submit(() -> processor.process(JobDelivery.fresh(job, SOURCE)));
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (meters.find(LlmMeters.RATE_LIMIT_WAITS).counters().stream().mapToDouble(Counter::count).sum() < 1) {
                assertThat(System.nanoTime()).as("the job waits for the rate limit").isLessThan(giveUp);
                Thread.sleep(10);
            }
            clock.advance(Duration.ofSeconds(6));

            assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOfSatisfying(Outcome.Expired.class,
                    expired -> assertThat(expired.history().attempts()).isZero());
        }
        assertThat(sent).containsExactly("first");
    }

    @Test
    void transientFailureSchedulesARetryOnTheFirstTierWithJitteredDueTime() throws Exception {
        llm.fails(Duration.ofMillis(30), ErrorClass.SERVER_ERROR);

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("j2", SUBMITTED), SOURCE));

        Outcome.RetryScheduled retry = (Outcome.RetryScheduled) outcome;
        assertThat(retry.tier()).isZero();
        Instant failedAt = SUBMITTED.plusMillis(280);
        assertThat(retry.dueAt()).isBetween(failedAt.plusMillis(490), failedAt.plusMillis(510));
        assertThat(retry.history().attempts()).isEqualTo(1);
        assertThat(retry.history().lastError().getType()).isEqualTo("SERVER_ERROR");
        assertThat(retry.history().lastError().getRetryable()).isTrue();
        assertThat(retry.history().lastError().getHttpStatus()).isEqualTo(503);
        assertThat(retry.history().firstFailureAt()).isEqualTo(failedAt);
    }

    @Test
    void aCallFailingAfterItsCancelEndsCancelledWithTheAttemptCountedAndNoRetry() throws Exception {
        CancelRequest request = new CancelRequest("tenant-a", SUBMITTED, "stop");
        llm.fails(Duration.ofMillis(30), ErrorClass.TIMEOUT);
        CancelRequest[] cancel = {null};
        LlmCaller cancelledDuringTheCall = new LlmCaller() {
            @Override
            public String providerName() {
                return llm.providerName();
            }

            @Override
            public io.promptq.llm.LlmResponse call(io.promptq.llm.LlmRequest r, LongConsumer providerMillis) {
                cancel[0] = request;
                return llm.call(r, providerMillis);
            }
        };
        JobProcessor processor = new JobProcessor(cancelledDuringTheCall, RetryPolicy.of(TIERS, 3), clock,
                Duration.ofSeconds(60));

        Outcome outcome = processor.process(JobDelivery.fresh(TestJobs.job("c1", SUBMITTED), SOURCE), () -> cancel[0]);

        assertThat(outcome).isInstanceOf(Outcome.Cancelled.class);
        assertThat(((Outcome.Cancelled) outcome).request()).isSameAs(request);
        assertThat(outcome.history().attempts()).isEqualTo(1);
    }

    @Test
    void aJobCancelledBeforeItStartsEndsCancelledWithoutCallingTheProvider() throws Exception {
        CancelRequest request = new CancelRequest("tenant-a", SUBMITTED, null);

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("c2", SUBMITTED), SOURCE), () -> request);

        assertThat(outcome).isInstanceOf(Outcome.Cancelled.class);
        assertThat(outcome.history().attempts()).isZero();
        assertThat(llm.calls).isEmpty();
    }

    @Test
    void permanentFailureIsDeadLetteredAfterOneAttempt() throws Exception {
        llm.fails(Duration.ofMillis(10), ErrorClass.INVALID_REQUEST);

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("bad", SUBMITTED), SOURCE));

        Outcome.DeadLettered dead = (Outcome.DeadLettered) outcome;
        assertThat(dead.reason()).isEqualTo(DeadLetterReason.PERMANENT_ERROR);
        assertThat(dead.history().attempts()).isEqualTo(1);
        assertThat(dead.history().lastError().getRetryable()).isFalse();
    }

    @Test
    void retriedDeliveryCarriesEarlierAttemptsAndIsDeadLetteredWhenTheBudgetIsSpent() throws Exception {
        RetryJob retry = RetryJob.newBuilder()
                .setJob(TestJobs.job("j3", SUBMITTED))
                .setAttempts(2)
                .setTier(1)
                .setDueAt(SUBMITTED.plusSeconds(3))
                .setOriginTopic("jobs").setOriginPartition(2).setOriginOffset(7)
                .setLastError(new ErrorInfo("TIMEOUT", "slow", true, null))
                .setFirstStartedAt(SUBMITTED.plusMillis(100))
                .setFirstFailureAt(SUBMITTED.plusMillis(400))
                .setAttemptDurationsMs(List.of(300L, 250L))
                .setUsage(new TokenUsage(5L, 0L))
                .build();
        llm.fails(Duration.ofMillis(40), ErrorClass.TIMEOUT);

        Outcome outcome = processor().process(JobDelivery.retried(retry, new Coordinates("retry.2", 0, 3)));

        Outcome.DeadLettered dead = (Outcome.DeadLettered) outcome;
        assertThat(dead.reason()).isEqualTo(DeadLetterReason.MAX_ATTEMPTS);
        JobHistory h = dead.history();
        assertThat(h.attempts()).isEqualTo(3);
        assertThat(h.attemptDurationsMs()).containsExactly(300L, 250L, 40L);
        assertThat(h.providerMs()).isEqualTo(590);
        assertThat(h.promptTokens()).isEqualTo(5);
        assertThat(h.firstStartedAt()).isEqualTo(SUBMITTED.plusMillis(100));
        assertThat(h.firstFailureAt()).isEqualTo(SUBMITTED.plusMillis(400));
        assertThat(h.origin()).isEqualTo(new Coordinates("jobs", 2, 7));
        assertThat(h.source()).isEqualTo(new Coordinates("retry.2", 0, 3));
    }

    @Test
    void retryFromATierGoesToTheNextTier() throws Exception {
        RetryJob retry = RetryJob.newBuilder()
                .setJob(TestJobs.job("j4", SUBMITTED)).setAttempts(1).setTier(0).setDueAt(SUBMITTED)
                .setOriginTopic("jobs").setOriginPartition(0).setOriginOffset(1)
                .setLastError(new ErrorInfo("SERVER_ERROR", "503", true, 503))
                .setFirstStartedAt(SUBMITTED).setFirstFailureAt(SUBMITTED)
                .setAttemptDurationsMs(List.of(10L)).setUsage(new TokenUsage(0L, 0L)).build();
        llm.fails(Duration.ofMillis(10), ErrorClass.CONNECTION);

        Outcome outcome = processor().process(JobDelivery.retried(retry, new Coordinates("retry.1", 0, 0)));

        assertThat(((Outcome.RetryScheduled) outcome).tier()).isEqualTo(1);
        assertThat(outcome.history().attempts()).isEqualTo(2);
    }

    @Test
    void unclassifiedProviderExceptionIsATransientUnexpectedError() throws Exception {
        llm.fails(Duration.ofMillis(5), new IllegalStateException("bug in provider"));

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("j5", SUBMITTED), SOURCE));

        assertThat(outcome).isInstanceOf(Outcome.RetryScheduled.class);
        assertThat(outcome.history().lastError().getType()).isEqualTo(JobProcessor.UNEXPECTED);
        assertThat(outcome.history().lastError().getRetryable()).isTrue();
    }

    @Test
    void inProcessRetriesRunBeforeAnyRetryTopic() throws Exception {
        llm.fails(Duration.ofMillis(10), ErrorClass.SERVER_ERROR).answers(Duration.ofMillis(20), "second time lucky");
        JobProcessor p = processor(RetryPolicy.of(TIERS, 3).withLocalRetries(1, Duration.ofMillis(100)).withRandom(() -> 0.5));

        Outcome outcome = p.process(JobDelivery.fresh(TestJobs.job("j6", SUBMITTED), SOURCE));

        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(outcome.history().attempts()).isEqualTo(2);
        assertThat(outcome.history().attemptDurationsMs()).containsExactly(10L, 20L);
        assertThat(sleeps).containsExactly(Duration.ofMillis(50));
    }

    @Test
    void attemptDurationIsTheProviderTimeNotTheWaitForTheBreakerOrRateLimit() throws Exception {
        llm.answersAfterWaiting(Duration.ofSeconds(5), 120);

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("j7", SUBMITTED), SOURCE));

        assertThat(outcome.history().attemptDurationsMs()).containsExactly(120L);
    }

    @Test
    void deadlineIsCheckedBeforeEveryAttempt() throws Exception {
        llm.fails(Duration.ofMillis(300), ErrorClass.SERVER_ERROR);
        PromptJob job = TestJobs.job("j8", "m", SUBMITTED, SUBMITTED.plusMillis(400));
        JobProcessor p = processor(RetryPolicy.of(TIERS, 3).withLocalRetries(1, Duration.ofMillis(100)).withRandom(() -> 0.5));

        Outcome outcome = p.process(JobDelivery.fresh(job, SOURCE));

        assertThat(outcome).isInstanceOf(Outcome.Expired.class);
        assertThat(outcome.history().attempts()).isEqualTo(1);
        assertThat(llm.calls).hasSize(1);
    }

    @Test
    void providerExceptionCarriesRetryAfterIntoTheDueTime() throws Exception {
        llm.fails(Duration.ZERO, new ProviderException(ErrorClass.RATE_LIMITED, "429", 429, Duration.ofSeconds(3), null));

        Outcome outcome = processor().process(JobDelivery.fresh(TestJobs.job("j9", SUBMITTED), SOURCE));

        Outcome.RetryScheduled retry = (Outcome.RetryScheduled) outcome;
        assertThat(retry.dueAt()).isEqualTo(clock.instant().plusSeconds(3));
        assertThat(retry.tier()).isEqualTo(2);
    }
}
