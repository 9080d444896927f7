package io.promptq.worker.processing;

import io.promptq.llm.DeadlinePassedException;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ModelUnavailableException;
import io.promptq.llm.ProviderException;
import io.promptq.retry.Backoff;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.PromptJob;
import io.promptq.worker.retry.RetryDecision;
import io.promptq.worker.retry.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one delivery of a job to its outcome: expired if its deadline has passed before an attempt starts or
 * while the attempt waited for a breaker or rate limit (the request carries the deadline, and
 * {@link DeadlinePassedException} means the provider was not called), otherwise provider attempts (with optional
 * in-process retries) until success, a retry on a topic, or a dead letter as {@link RetryPolicy} decides. A job whose
 * model cannot be served now ({@link ModelUnavailableException}: breaker open, or the provider refused the model with
 * 401/403/404) is <em>parked</em>: scheduled on a retry tier for when the model can next be tried, without counting an
 * attempt, so the partition moves on and other models keep flowing. Every failure of the provider call is classified here, at one place:
 * a {@link ProviderException} carries the llm module's classification, anything else is an unexpected,
 * transient {@value #UNEXPECTED} error. Thread-safe; {@link #process} blocks and runs on a virtual thread.
 */
public final class JobProcessor {

    /** Error type of an exception that the provider layer did not classify. */
    public static final String UNEXPECTED = "UNEXPECTED";
    /** Error type recorded on a job parked because its model could not be served. */
    public static final String MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE";
    /** Error type of a job whose deadline passed. */
    public static final String EXPIRED = "EXPIRED";

    private static final Logger log = LoggerFactory.getLogger(JobProcessor.class);

    private final LlmCaller llm;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Duration callTimeout;
    private final Backoff.Sleeper sleeper;
    private final AttemptListener attempts;

    /**
     * A processor that waits between in-process retries with {@code sleeper}, which must be interruptible so that an
     * abandoned job stops promptly.
     */
    public JobProcessor(LlmCaller llm, RetryPolicy policy, Clock clock, Duration callTimeout, Backoff.Sleeper sleeper) {
        this(llm, policy, clock, callTimeout, sleeper, AttemptListener.NONE);
    }

    /** As the other constructors, telling {@code attempts} when each provider attempt starts. */
    public JobProcessor(LlmCaller llm, RetryPolicy policy, Clock clock, Duration callTimeout, Backoff.Sleeper sleeper,
            AttemptListener attempts) {
        this.attempts = Objects.requireNonNull(attempts, "attempts");
        this.llm = Objects.requireNonNull(llm, "llm");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    public JobProcessor(LlmCaller llm, RetryPolicy policy, Clock clock, Duration callTimeout) {
        this(llm, policy, clock, callTimeout, Backoff.Sleeper.THREAD);
    }

    /**
     * Decides the outcome of {@code delivery}, calling the provider as needed.
     *
     * @throws InterruptedException if interrupted while waiting between in-process retries (the job was abandoned)
     */
    public Outcome process(JobDelivery delivery) throws InterruptedException {
        return process(delivery, () -> null);
    }

    /**
     * Decides the outcome of {@code delivery} as {@link #process(JobDelivery)}, ending it {@link Outcome.Cancelled}
     * once {@code cancel} names a request: before the next attempt starts, or when the running attempt ends
     * (aborted by the caller's interrupt; the aborted attempt is counted) - never retried or dead-lettered after it.
     * An attempt that succeeded keeps its result: the answer is paid for.
     *
     * @param cancel the job's cancel request, null while there is none; asked only between attempts
     * @throws InterruptedException if interrupted between in-process retries without a cancel request
     */
    public Outcome process(JobDelivery delivery, Supplier<@Nullable CancelRequest> cancel) throws InterruptedException {
        History h = new History(delivery);
        Instant deadline = delivery.job().getDeadline();
        LlmRequest request = null;
        int localRetries = 0;
        while (true) {
            CancelRequest cancelled = cancel.get();
            if (cancelled != null) {
                return new Outcome.Cancelled(h.freeze(clock.instant()), cancelled);
            }
            Instant start = clock.instant();
            if (deadline != null && !start.isBefore(deadline)) {
                return new Outcome.Expired(h.freeze(start));
            }
            if (request == null) {
                request = JobRequests.toRequest(delivery.job(), callTimeout);
            }
            if (h.firstStartedAt == null) {
                h.firstStartedAt = start;
            }
            long startMillis = clock.millis();
            long[] providerMillis = {-1};
            Failure failure;
            try {
                int attempt = h.attempts + 1;
                PromptJob job = delivery.job();
                LlmResponse response = llm.call(request, ms -> providerMillis[0] = ms,
                        () -> attempts.started(job, attempt));
                h.attempt(providerMillis[0] >= 0 ? providerMillis[0] : clock.millis() - startMillis);
                h.promptTokens += response.promptTokens();
                h.completionTokens += response.completionTokens();
                return new Outcome.Succeeded(h.freeze(clock.instant()), response);
            } catch (DeadlinePassedException e) {
                CancelRequest c = cancel.get();
                return c != null ? new Outcome.Cancelled(h.freeze(clock.instant()), c)
                        : new Outcome.Expired(h.freeze(clock.instant()));
            } catch (ModelUnavailableException e) {
                CancelRequest c = cancel.get();
                return c != null ? new Outcome.Cancelled(h.freeze(clock.instant()), c) : park(h, delivery, e);
            } catch (ProviderException e) {
                failure = Failure.of(e);
            } catch (RuntimeException e) {
                log.warn("Unclassified failure calling the provider for job {} (treated as transient)",
                        delivery.job().getJobId(), e);
                failure = new Failure(UNEXPECTED, String.valueOf(e), true, null, Optional.empty());
            }
            h.attempt(providerMillis[0] >= 0 ? providerMillis[0] : clock.millis() - startMillis);
            CancelRequest abortedBy = cancel.get();
            if (abortedBy != null) {
                return new Outcome.Cancelled(h.freeze(clock.instant()), abortedBy);
            }
            Instant failedAt = clock.instant();
            h.failed(failure.toErrorInfo(), failedAt);
            RetryDecision decision = policy.decide(h.attempts, localRetries, delivery.tier(), failure.retryable(),
                    failure.retryAfter(), failedAt);
            switch (decision) {
                case RetryDecision.RetryLocally local -> {
                    localRetries++;
                    try {
                        sleeper.sleep(local.delay());
                    } catch (InterruptedException e) {
                        CancelRequest c = cancel.get();
                        if (c == null) {
                            throw e;
                        }
                        return new Outcome.Cancelled(h.freeze(clock.instant()), c);
                    }
                }
                case RetryDecision.RetryOnTopic retry -> {
                    return new Outcome.RetryScheduled(h.freeze(failedAt), retry.tier(), retry.dueAt());
                }
                case RetryDecision.GiveUp giveUp -> {
                    return new Outcome.DeadLettered(h.freeze(failedAt), DeadLetterReason.of(giveUp.reason()));
                }
            }
        }
    }

    /**
     * Parks the job until its model can be tried again: a retry on the tier it came from (or one covering the wait),
     * with its attempts unchanged. The first park of a fresh job marks it started and failed with
     * {@value #MODEL_UNAVAILABLE}, which the retry record requires.
     */
    private Outcome.RetryScheduled park(History h, JobDelivery delivery, ModelUnavailableException e) {
        Instant now = clock.instant();
        Instant dueAt = e.retryAt().isAfter(now) ? e.retryAt() : now;
        Throwable cause = e.getCause();
        Integer status = cause instanceof ProviderException p && p.httpStatus().isPresent() ? p.httpStatus().getAsInt() : null;
        h.failed(ErrorInfo.newBuilder().setType(MODEL_UNAVAILABLE).setMessage(String.valueOf(e.getMessage()))
                .setRetryable(true).setHttpStatus(status).build(), now);
        int tier = policy.parkTier(delivery.tier(), Duration.between(now, dueAt));
        log.debug("Job {} parked on retry tier {} until {}: {}", delivery.job().getJobId(), tier, dueAt, e.getMessage());
        return new Outcome.RetryScheduled(h.freeze(now), tier, dueAt);
    }

    /**
     * Gives {@code delivery} up without calling the provider: its record was started {@code starts} times already
     * without an outcome, i.e. its attempts keep dying with their worker.
     */
    public Outcome.DeadLettered crashLooped(JobDelivery delivery, int starts) {
        return givenUp(delivery, DeadLetterReason.CRASH_LOOP,
                "started " + starts + " times without an outcome; not calling the provider again");
    }

    /**
     * Gives {@code delivery} up for {@code reason} (one that is not the provider's answer, e.g. an invalid job or
     * an internal error), with {@code message} as its last error; calls nothing.
     */
    public Outcome.DeadLettered givenUp(JobDelivery delivery, DeadLetterReason reason, String message) {
        History h = new History(delivery);
        Instant now = clock.instant();
        h.failed(ErrorInfo.newBuilder().setType(reason.name()).setMessage(message).setRetryable(false)
                .setHttpStatus(null).build(), now);
        return new Outcome.DeadLettered(h.freeze(now), reason);
    }

    /** Cancels {@code delivery} before it starts (again): its history so far, no provider call. */
    public Outcome.Cancelled cancelled(JobDelivery delivery, CancelRequest request) {
        return new Outcome.Cancelled(new History(delivery).freeze(clock.instant()), request);
    }

    /** A classified failure of one attempt. */
    private record Failure(String type, String message, boolean retryable, Integer httpStatus, Optional<Duration> retryAfter) {

        static Failure of(ProviderException e) {
            return new Failure(e.errorClass().name(), String.valueOf(e.getMessage()), e.retryable(),
                    e.httpStatus().isPresent() ? e.httpStatus().getAsInt() : null, e.retryAfter());
        }

        ErrorInfo toErrorInfo() {
            return ErrorInfo.newBuilder().setType(type).setMessage(message).setRetryable(retryable)
                    .setHttpStatus(httpStatus).build();
        }
    }

    /** The history of the job, accumulated during one delivery. */
    private final class History {
        final JobDelivery delivery;
        final List<Long> durations;
        int attempts;
        long promptTokens;
        long completionTokens;
        Instant firstStartedAt;
        Instant firstFailureAt;
        Instant lastFailureAt;
        ErrorInfo lastError;

        History(JobDelivery d) {
            this.delivery = d;
            this.durations = new ArrayList<>(d.attemptDurationsMs().size() + 1);
            this.durations.addAll(d.attemptDurationsMs());
            this.attempts = d.attemptsMade();
            this.promptTokens = d.promptTokens();
            this.completionTokens = d.completionTokens();
            this.firstStartedAt = d.firstStartedAt();
            this.firstFailureAt = d.firstFailureAt();
            this.lastFailureAt = d.firstFailureAt();
            this.lastError = d.lastError();
        }

        void attempt(long millis) {
            attempts++;
            durations.add(Math.max(0, millis));
        }

        void failed(ErrorInfo error, Instant at) {
            lastError = error;
            lastFailureAt = at;
            if (firstFailureAt == null) {
                firstFailureAt = at;
            }
        }

        JobHistory freeze(Instant decidedAt) {
            return new JobHistory(delivery.job(), delivery.source(), delivery.origin(), attempts, durations,
                    promptTokens, completionTokens, firstStartedAt, firstFailureAt, lastFailureAt, lastError, decidedAt,
                    llm.providerName());
        }
    }
}
