package io.promptq.llm.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.promptq.config.Durations;
import io.promptq.lifecycle.Closeables;
import io.promptq.llm.DeadlinePassedException;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmMeters;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ModelUnavailableException;
import io.promptq.llm.ProviderException;
import io.promptq.llm.ResilienceConfig;
import io.promptq.llm.ResilientLlm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ResilientLlm} on Resilience4j.
 *
 * <p><b>Breaker.</b> One count-based {@link CircuitBreaker} per {@code provider:model}, with automatic
 * OPEN to HALF_OPEN transition (so {@link #intakeBlocked} clears even when no call is waiting). A call the
 * breaker does not permit is not sent and does not wait: it ends at once with {@link ModelUnavailableException}
 * carrying the breaker's half-open time (taken from its transition to OPEN), so the worker parks that model's jobs
 * while other models flow. Outcomes are fed back with {@code onSuccess}/{@code onError}; the breaker's predicates record only
 * transient classes as failures, ignore RATE_LIMITED and INVALID_JOB, and count permanent answers as
 * successes (see {@link ResilienceConfig}).
 *
 * <p><b>Configuration faults.</b> A 401/403/404 answer ({@link ProviderException#configurationFault()}) pauses the
 * model: the call and every later one end with {@link ModelUnavailableException} (no breaker record) until a
 * backoff of {@link #FAULT_BACKOFF} doubling per failed trial up to {@link #FAULT_BACKOFF_MAX} has passed; then one
 * call is let through as the trial, and any other answer than 401/403/404 ends the pause. Models are independent.
 *
 * <p><b>Bounded per-model state.</b> At most {@link ResilienceConfig#maxModels()} guards are held: a new model
 * drops the least recently used idle one (its breaker and limiters and their Resilience4j meters), and only the
 * first that-many model names get their own {@code model} tag on this class's meters; later ones share
 * {@link #OTHER_MODELS}.
 *
 * <p><b>Rate limits.</b> Two Resilience4j {@link RateLimiter}s per model. Permissions are <em>reserved</em>
 * ({@link RateLimiter#reservePermission(int)}) and the wait is slept here in short, interruptible slices, so
 * a call never fails for lack of budget and waits can be counted. To avoid the double bursts a
 * once-per-period refill allows at period boundaries, the budget is refilled in small steps: the request
 * limiter refills {@code max(1, rps/10)} permits every {@code permits/rps} seconds (about 100 ms) and the token
 * limiter {@code max(1, tpm/60)} permits about every second - same long-run rate, bursts of at most one step.
 * A call reserves {@code ceil(promptChars / 4) + maxTokens} token permits (capped at one minute's budget);
 * Resilience4j lets a reservation run into debt across refills, so large requests simply wait longer.
 * Estimated, not actual, usage is charged.
 *
 * <p><b>Deadline.</b> The provider runs on its own virtual thread; the caller waits at most the call's
 * timeout plus {@link #HARD_DEADLINE_GRACE}, then cancels it (interrupt) and reports TIMEOUT - a guard
 * against providers that overrun their own timeout. A request's own {@link LlmRequest#deadline() deadline} is
 * re-checked on the injected clock after every wait slice and once more just before the provider is called: once it
 * has passed the call ends with {@link DeadlinePassedException}, the provider is never called and the breaker's
 * permission, if taken, is released.
 */
public final class Resilience4jLlm implements ResilientLlm {

    /** How much longer than its timeout a provider call may run before it is abandoned. */
    public static final Duration HARD_DEADLINE_GRACE = Duration.ofSeconds(1);

    /** First pause of a model whose provider answered 401/403/404. */
    public static final Duration FAULT_BACKOFF = Duration.ofSeconds(5);
    /** Longest pause between trial calls of such a model. */
    public static final Duration FAULT_BACKOFF_MAX = Duration.ofMinutes(5);

    /** Metric tag of the models beyond {@link ResilienceConfig#maxModels()}. */
    public static final String OTHER_MODELS = "other";

    private static final Logger LOG = LoggerFactory.getLogger(Resilience4jLlm.class);
    private static final Duration MIN_POLL = Duration.ofMillis(10);
    private static final Duration MAX_POLL = Duration.ofMillis(250);
    private static final Duration RPS_REFILL_STEP = Duration.ofMillis(100);
    private static final Duration TPM_REFILL_STEP = Duration.ofSeconds(1);
    /** Longest wait a single reservation may take; beyond it the call polls and reserves again. */
    private static final Duration MAX_RESERVATION = Duration.ofHours(1);
    private static final int CHARS_PER_TOKEN = 4;

    private final LlmProvider provider;
    private final String providerName;
    private final ResilienceConfig config;
    private final MeterRegistry meters;
    private final Clock clock;
    private final @Nullable CircuitBreakerRegistry breakers;
    private final RateLimiterRegistry limiters;
    private final Duration pollInterval;
    private final ExecutorService callThreads;
    private final ConcurrentMap<String, Guard> guards = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final Set<Meter> ownMeters = ConcurrentHashMap.newKeySet();
    /** Model names with their own metric tag, at most {@code maxModels}; written only under {@link #guardLock}. */
    private final Set<String> taggedModels = ConcurrentHashMap.newKeySet();
    private final Object guardLock = new Object();
    private final AtomicBoolean meterWarningLogged = new AtomicBoolean();
    private volatile boolean closed;

    /**
     * Per-model guards; breaker and limiters are {@code null} when disabled. {@code tag} is the model's metric tag
     * ({@link #OTHER_MODELS} beyond the cap); {@code inFlight} and {@code lastUsed} decide which idle guard to drop.
     */
    private record Guard(String model, String tag, AtomicInteger inFlight, AtomicLong lastUsed, String key,
            @Nullable CircuitBreaker breaker, @Nullable RateLimiter requests,
            @Nullable RateLimiter tokens,
            Counter breakerWaits, Counter requestWaits, Counter tokenWaits,
            AtomicReference<Instant> openedAt, AtomicReference<@Nullable Fault> fault) {}

    /**
     * A model paused after a 401/403/404: no call until {@code until}, then one {@code trial}; {@code backoff} is the
     * pause that led here.
     */
    private record Fault(String reason, Instant until, Duration backoff, boolean trial) {}

    public Resilience4jLlm(LlmProvider provider, ResilienceConfig config, MeterRegistry meters) {
        this(provider, config, meters, Clock.systemUTC());
    }

    /** Guards {@code provider}, comparing request deadlines with {@code clock}. */
    public Resilience4jLlm(LlmProvider provider, ResilienceConfig config, MeterRegistry meters, Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.providerName = provider.name();
        this.config = Objects.requireNonNull(config, "config");
        this.meters = Objects.requireNonNull(meters, "meters");
        this.breakers = config.breakerEnabled() ? CircuitBreakerRegistry.of(breakerConfig(config)) : null;
        this.limiters = RateLimiterRegistry.ofDefaults();
        this.pollInterval = clamp(config.breakerOpenDuration().dividedBy(4), MIN_POLL, MAX_POLL);
        this.callThreads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("promptq-llm-" + providerName + "-", 0).factory());
        safely("bind Resilience4j meters", () -> {
            if (breakers != null) {
                TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
            }
            TaggedRateLimiterMetrics.ofRateLimiterRegistry(limiters).bindTo(meters);
            ownMeters.add(Gauge.builder(LlmMeters.MODELS_UNAVAILABLE, this, llm -> llm.unavailableModels().size())
                    .description("Models paused because the provider answered 401/403/404 for them")
                    .tag(LlmMeters.TAG_PROVIDER, providerName).register(meters));
            return null;
        });
        LOG.info("LLM provider {} guarded: {}", providerName, config);
    }

    static CircuitBreakerConfig breakerConfig(ResilienceConfig config) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.breakerWindow())
                .minimumNumberOfCalls(config.breakerMinCalls())
                .failureRateThreshold((float) config.breakerFailureRate())
                .waitDurationInOpenState(config.breakerOpenDuration())
                .permittedNumberOfCallsInHalfOpenState(config.breakerHalfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(Duration.ofDays(1))
                .recordException(t -> t instanceof ProviderException e && countsAsFailure(e.errorClass()))
                .ignoreException(t -> t instanceof ProviderException e
                        && (e.errorClass() == ErrorClass.RATE_LIMITED || e.errorClass() == ErrorClass.INVALID_JOB))
                .build();
    }

    /** Transient provider faults are breaker failures; 429 and permanent answers are not. */
    static boolean countsAsFailure(ErrorClass errorClass) {
        return switch (errorClass) {
            case SERVER_ERROR, TIMEOUT, CONNECTION, MALFORMED_RESPONSE -> true;
            case RATE_LIMITED, INVALID_REQUEST, AUTHENTICATION, INVALID_JOB, RESPONSE_TOO_LARGE -> false;
        };
    }

    @Override
    public Map<String, String> breakerStates() {
        Map<String, String> states = new TreeMap<>();
        for (Guard guard : guards.values()) {
            if (guard.breaker() != null) {
                states.put(guard.model(), guard.breaker().getState().name());
            }
        }
        return states;
    }

    /** Models beyond the tag cap share one counter, so each counter is summed once. */
    @Override
    public long rateLimitWaits() {
        Set<Counter> counters = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Guard guard : guards.values()) {
            if (guard.requestWaits() != null) {
                counters.add(guard.requestWaits());
            }
            if (guard.tokenWaits() != null) {
                counters.add(guard.tokenWaits());
            }
        }
        double waits = 0;
        for (Counter counter : counters) {
            waits += counter.count();
        }
        return (long) waits;
    }

    @Override
    public LlmResponse call(LlmRequest request) {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new AbortedException(describe("closed", request));
        }
        Guard guard = guard(request.model());
        guard.inFlight().incrementAndGet();
        try {
            return call(guard, request);
        } finally {
            guard.lastUsed().set(System.nanoTime());
            guard.inFlight().decrementAndGet();
        }
    }

    private LlmResponse call(Guard guard, LlmRequest request) {
        LlmRequest effective = request.timeout().compareTo(config.callTimeout()) > 0 ? request.withTimeout(config.callTimeout()) : request;
        Fault trial = claimFaultTrial(guard);
        try {
            awaitPermission(guard, effective);
        } catch (RuntimeException e) {
            releaseTrial(guard, trial);
            throw e;
        }
        long start = System.nanoTime();
        try {
            checkDeadline(effective);
            LlmResponse response = invoke(effective);
            long elapsed = System.nanoTime() - start;
            if (guard.breaker() != null) {
                guard.breaker().onSuccess(elapsed, TimeUnit.NANOSECONDS);
            }
            endFault(guard, trial);
            record(guard, LlmMeters.OUTCOME_SUCCESS, elapsed);
            return response;
        } catch (AbortedException | DeadlinePassedException e) {
            if (guard.breaker() != null) {
                guard.breaker().releasePermission();
            }
            releaseTrial(guard, trial);
            throw e;
        } catch (ProviderException e) {
            long elapsed = System.nanoTime() - start;
            if (e.configurationFault()) {
                if (guard.breaker() != null) {
                    guard.breaker().releasePermission();
                }
                record(guard, e.errorClass().name().toLowerCase(Locale.ROOT), elapsed);
                throw enterFault(guard, trial, e);
            }
            endFault(guard, trial);
            if (guard.breaker() != null) {
                guard.breaker().onError(elapsed, TimeUnit.NANOSECONDS, e);
            }
            record(guard, e.errorClass().name().toLowerCase(Locale.ROOT), elapsed);
            LOG.debug("LLM call failed: {}", e.getMessage());
            throw e;
        }
    }

    @Override
    public boolean intakeBlocked(String model) {
        Guard guard = guards.get(model);
        return guard != null && isOpen(guard);
    }

    @Override
    public Set<String> blockedModels() {
        Set<String> blocked = new TreeSet<>();
        for (Guard guard : guards.values()) {
            if (isOpen(guard)) {
                blocked.add(guard.model());
            }
        }
        return Set.copyOf(blocked);
    }

    @Override
    public Map<String, String> unavailableModels() {
        Map<String, String> faults = new TreeMap<>();
        for (Guard guard : guards.values()) {
            Fault fault = guard.fault().get();
            if (fault != null) {
                faults.put(guard.model(), fault.reason());
            }
        }
        return Map.copyOf(faults);
    }

    @Override
    public String providerName() {
        return providerName;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        callThreads.shutdownNow();
        for (Guard guard : guards.values()) {
            dropResilience4j(guard);
        }
        for (Meter meter : ownMeters) {
            safely("remove meters", () -> meters.remove(meter));
        }
        Closeables.closeQuietly(provider, (resource, e) -> LOG.warn("Closing LLM provider {} failed", providerName, e));
    }

    @Override
    public String toString() {
        return "ResilientLlm[" + providerName + ", " + config + "]";
    }

    // --- waiting -------------------------------------------------------------------------------------

    /**
     * Takes the breaker's permission and waits until both rate budgets allow the call. A breaker that does not
     * permit the call - at first, or because it opened while the call waited for the rate limiters - ends it with
     * {@link ModelUnavailableException}: the call never waits for a breaker.
     */
    private void awaitPermission(Guard guard, LlmRequest request) {
        int tokens = guard.tokens() == null ? 0 : estimatedTokens(request);
        CircuitBreaker.State acquiredIn = null;
        if (guard.breaker() != null) {
            if (!guard.breaker().tryAcquirePermission()) {
                throw breakerRefused(guard, request);
            }
            acquiredIn = guard.breaker().getState();
        }
        try {
            awaitRateBudget(guard, tokens, request);
        } catch (AbortedException | DeadlinePassedException e) {
            if (guard.breaker() != null && guard.breaker().getState() == acquiredIn) {
                guard.breaker().releasePermission();
            }
            throw e;
        }
        if (guard.breaker() == null) {
            return;
        }
        CircuitBreaker.State now = guard.breaker().getState();
        if (now == CircuitBreaker.State.CLOSED
                || (now == CircuitBreaker.State.HALF_OPEN && acquiredIn == CircuitBreaker.State.HALF_OPEN)) {
            return;
        }
        // The breaker (re-)opened meanwhile, or went half-open after we were let through as CLOSED.
        throw breakerRefused(guard, request);
    }

    private ModelUnavailableException breakerRefused(Guard guard, LlmRequest request) {
        increment(guard.breakerWaits());
        CircuitBreaker.State state = guard.breaker().getState();
        Instant now = clock.instant();
        Instant retryAt = now.plus(config.breakerOpenDuration());
        Instant openedAt = guard.openedAt().get();
        if (state == CircuitBreaker.State.OPEN && openedAt != null) {
            Instant halfOpen = openedAt.plus(config.breakerOpenDuration());
            retryAt = halfOpen.isAfter(now) ? halfOpen : now.plus(pollInterval);
        }
        LOG.debug("Job {} not sent: the {} circuit breaker is {}, retry at {}", request.jobId(), guard.key(), state, retryAt);
        return new ModelUnavailableException(request.model(), retryAt,
                describe("not sent: circuit breaker " + state, request), null);
    }

    // --- configuration faults (401/403/404) ----------------------------------------------------------

    /**
     * Refuses the call while its model is paused by a configuration fault; once the pause is over, lets exactly one
     * call through as the trial and returns that fault (null when the model is not paused).
     */
    private @Nullable Fault claimFaultTrial(Guard guard) {
        while (true) {
            Fault fault = guard.fault().get();
            if (fault == null) {
                return null;
            }
            Instant now = clock.instant();
            if (fault.trial() || now.isBefore(fault.until())) {
                Instant retryAt = fault.trial() ? now.plus(FAULT_BACKOFF) : fault.until();
                throw new ModelUnavailableException(guard.model(), retryAt,
                        providerName + ": model " + guard.model() + " paused: " + fault.reason(), null);
            }
            Fault claimed = new Fault(fault.reason(), fault.until(), fault.backoff(), true);
            if (guard.fault().compareAndSet(fault, claimed)) {
                return claimed;
            }
        }
    }

    /** A trial that never reached the provider gives its turn back. */
    private static void releaseTrial(Guard guard, @Nullable Fault trial) {
        if (trial != null) {
            guard.fault().compareAndSet(trial, new Fault(trial.reason(), trial.until(), trial.backoff(), false));
        }
    }

    /** The provider answered something else than 401/403/404: a paused model resumes. */
    private void endFault(Guard guard, @Nullable Fault trial) {
        if (trial != null && guard.fault().compareAndSet(trial, null)) {
            LOG.info("Model {} of provider {} resumed: the trial call was not refused ({} had paused it)",
                    guard.model(), providerName, trial.reason());
        }
    }

    /**
     * Pauses the model after a 401/403/404: for {@link #FAULT_BACKOFF} at first, twice the last pause after a failed
     * trial (at most {@link #FAULT_BACKOFF_MAX}); answers from calls already running do not extend it.
     */
    private ModelUnavailableException enterFault(Guard guard, @Nullable Fault trial, ProviderException e) {
        Instant now = clock.instant();
        String status = e.httpStatus().isPresent() ? String.valueOf(e.httpStatus().getAsInt()) : e.errorClass().name();
        String reason = "provider answered " + status + " (" + e.getMessage() + ")";
        Fault current;
        Fault next;
        do {
            current = guard.fault().get();
            if (current != null && current != trial) {
                next = current;
                break;
            }
            Duration backoff = current == null ? FAULT_BACKOFF : min(current.backoff().multipliedBy(2), FAULT_BACKOFF_MAX);
            next = new Fault(reason, now.plus(backoff), backoff, false);
        } while (!guard.fault().compareAndSet(current, next));
        if (next != current) {
            LOG.warn("Model {} of provider {} paused for {}: {}; its jobs are parked, not dead-lettered, until a trial call succeeds",
                    guard.model(), providerName, Durations.format(next.backoff()), reason);
        }
        return new ModelUnavailableException(guard.model(), next.until(),
                providerName + ": model " + guard.model() + " paused: " + reason, e);
    }

    private void awaitRateBudget(Guard guard, int tokens, LlmRequest request) {
        long waitNanos = 0;
        if (guard.requests() != null) {
            waitNanos = reserve(guard.requests(), 1, guard.requestWaits(), request);
        }
        if (guard.tokens() != null) {
            waitNanos = Math.max(waitNanos, reserve(guard.tokens(), tokens, guard.tokenWaits(), request));
        }
        long deadline = System.nanoTime() + waitNanos;
        for (long left = waitNanos; left > 0; left = deadline - System.nanoTime()) {
            pause(Duration.ofNanos(Math.min(left, pollInterval.toNanos())), request);
        }
    }

    private long reserve(RateLimiter limiter, int permits, Counter waits, LlmRequest request) {
        long nanos = limiter.reservePermission(permits);
        while (nanos < 0) {
            pause(pollInterval, request);
            nanos = limiter.reservePermission(permits);
        }
        if (nanos > 0) {
            increment(waits);
        }
        return nanos;
    }

    private void pause(Duration duration, LlmRequest request) {
        if (closed) {
            throw new AbortedException(describe("closed while waiting", request));
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AbortedException(describe("interrupted while waiting", request));
        }
        checkDeadline(request);
    }

    /** Throws {@link DeadlinePassedException} once the request's deadline has passed. */
    private void checkDeadline(LlmRequest request) {
        if (request.expiredAt(clock.instant())) {
            throw new DeadlinePassedException(describe("not sent: deadline " + request.deadline() + " passed while waiting", request));
        }
    }

    /** Prompt characters / 4 plus the completion budget, capped at one minute's token budget. */
    private int estimatedTokens(LlmRequest request) {
        long estimate = (request.promptChars() + CHARS_PER_TOKEN - 1L) / CHARS_PER_TOKEN + Math.max(0, request.maxTokens());
        return (int) Math.max(1, Math.min(estimate, Math.min(config.rateLimitTpm(), Integer.MAX_VALUE)));
    }

    // --- calling -------------------------------------------------------------------------------------

    private LlmResponse invoke(LlmRequest request) {
        Future<LlmResponse> future;
        try {
            future = callThreads.submit(() -> provider.complete(request));
        } catch (RejectedExecutionException e) {
            throw new AbortedException(describe("closed", request));
        }
        Duration hardDeadline = request.timeout().plus(HARD_DEADLINE_GRACE);
        try {
            return future.get(hardDeadline.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ProviderException providerFailure) {
                throw providerFailure;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            LOG.warn("LLM provider {} failed unexpectedly for job {}", providerName, request.jobId(), cause);
            throw new ProviderException(ErrorClass.SERVER_ERROR, describe("unexpected provider failure: " + cause, request), null, null, cause);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ProviderException(ErrorClass.TIMEOUT,
                    describe("no answer within the hard deadline of " + Durations.format(hardDeadline), request));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new AbortedException(describe("interrupted", request));
        }
    }

    private String describe(String what, LlmRequest request) {
        return providerName + ": call " + what + " (job " + request.jobId() + ", model " + request.model() + ")";
    }

    // --- guards and meters ---------------------------------------------------------------------------

    /**
     * The model's guard: a lock-free lookup; on a miss, under a lock, a new guard - after dropping the least recently
     * used idle guard if {@code maxModels} are held. A dropped model starts afresh (closed breaker, full budgets) when
     * it comes back; guards in use (call in flight, breaker not closed, paused after 401/403/404) are never dropped,
     * so the cap is exceeded only by models that are all busy.
     */
    private Guard guard(String model) {
        Guard guard = guards.get(model);
        if (guard != null) {
            return guard;
        }
        synchronized (guardLock) {
            guard = guards.get(model);
            if (guard == null) {
                if (guards.size() >= config.maxModels()) {
                    evictIdleGuard();
                }
                guard = newGuard(model);
                guards.put(model, guard);
            }
            return guard;
        }
    }

    private void evictIdleGuard() {
        Guard oldest = null;
        for (Guard candidate : guards.values()) {
            if (idle(candidate) && (oldest == null || candidate.lastUsed().get() - oldest.lastUsed().get() < 0)) {
                oldest = candidate;
            }
        }
        if (oldest != null) {
            guards.remove(oldest.model());
            dropResilience4j(oldest);
            LOG.debug("Dropped the idle guard of model {} ({} models guarded at most)", oldest.model(), config.maxModels());
        }
    }

    private static boolean idle(Guard guard) {
        return guard.inFlight().get() == 0 && guard.fault().get() == null
                && (guard.breaker() == null || guard.breaker().getState() == CircuitBreaker.State.CLOSED);
    }

    /** Removes the guard's breaker and limiters from their registries, and with them their meters. */
    private void dropResilience4j(Guard guard) {
        safely("remove Resilience4j meters", () -> {
            if (breakers != null) {
                breakers.remove(guard.key());
            }
            if (guard.requests() != null) {
                limiters.remove(guard.requests().getName());
            }
            if (guard.tokens() != null) {
                limiters.remove(guard.tokens().getName());
            }
            return null;
        });
    }

    /** The model's own name while fewer than {@code maxModels} names are tagged, else {@link #OTHER_MODELS}. */
    private String metricTag(String model) {
        if (taggedModels.contains(model)) {
            return model;
        }
        if (taggedModels.size() < config.maxModels()) {
            taggedModels.add(model);
            return model;
        }
        return OTHER_MODELS;
    }

    private Guard newGuard(String model) {
        String key = providerName + ":" + model;
        AtomicReference<Instant> openedAt = new AtomicReference<>();
        CircuitBreaker breaker = null;
        if (breakers != null) {
            breaker = breakers.circuitBreaker(key);
            breaker.getEventPublisher().onStateTransition(event -> {
                CircuitBreaker.StateTransition transition = event.getStateTransition();
                if (transition.getToState() == CircuitBreaker.State.OPEN) {
                    openedAt.set(clock.instant());
                    LOG.warn("Circuit breaker {} {}: jobs of this model are parked until it half-opens", key, transition);
                } else {
                    LOG.info("Circuit breaker {} {}", key, transition);
                }
            });
        }
        RateLimiter requests = config.rateLimitRps() > 0
                ? limiters.rateLimiter(key + ":" + LlmMeters.LIMIT_RPS, smoothLimiter(config.rateLimitRps(), RPS_REFILL_STEP))
                : null;
        RateLimiter tokens = config.rateLimitTpm() > 0
                ? limiters.rateLimiter(key + ":" + LlmMeters.LIMIT_TPM, smoothLimiter(config.rateLimitTpm() / 60.0, TPM_REFILL_STEP))
                : null;
        String tag = metricTag(model);
        return new Guard(model, tag, new AtomicInteger(), new AtomicLong(System.nanoTime()), key, breaker, requests, tokens,
                counter(LlmMeters.BREAKER_WAITS, "Calls refused by an open circuit breaker", tag, null),
                requests == null ? null : counter(LlmMeters.RATE_LIMIT_WAITS, "Calls that waited for a rate limit", tag, LlmMeters.LIMIT_RPS),
                tokens == null ? null : counter(LlmMeters.RATE_LIMIT_WAITS, "Calls that waited for a rate limit", tag, LlmMeters.LIMIT_TPM),
                openedAt, new AtomicReference<>());
    }

    /**
     * A limiter granting {@code perSecond} on average, refilled in steps of about {@code step}: {@code limit =
     * max(1, floor(perSecond * step))} permits every {@code limit / perSecond} seconds.
     */
    static RateLimiterConfig smoothLimiter(double perSecond, Duration step) {
        double perStep = perSecond * step.toNanos() / 1e9;
        int limit = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.floor(perStep)));
        long periodNanos = Math.max(1, Math.round(limit * 1e9 / perSecond));
        return RateLimiterConfig.custom()
                .limitForPeriod(limit)
                .limitRefreshPeriod(Duration.ofNanos(periodNanos))
                .timeoutDuration(MAX_RESERVATION)
                .build();
    }

    private Counter counter(String name, String description, String model, String limit) {
        return safely("register " + name, () -> {
            Counter.Builder builder = Counter.builder(name).description(description)
                    .tag(LlmMeters.TAG_PROVIDER, providerName).tag(LlmMeters.TAG_MODEL, model);
            if (limit != null) {
                builder.tag(LlmMeters.TAG_LIMIT, limit);
            }
            Counter counter = builder.register(meters);
            ownMeters.add(counter);
            return counter;
        });
    }

    private void record(Guard guard, String outcome, long nanos) {
        Timer timer = timers.computeIfAbsent(guard.tag() + '\u0000' + outcome, k -> safely("register " + LlmMeters.CALL, () -> {
            Timer t = Timer.builder(LlmMeters.CALL)
                    .description("LLM provider call latency, waits excluded")
                    .tag(LlmMeters.TAG_PROVIDER, providerName)
                    .tag(LlmMeters.TAG_MODEL, guard.tag())
                    .tag(LlmMeters.TAG_OUTCOME, outcome)
                    .publishPercentileHistogram()
                    .register(meters);
            ownMeters.add(t);
            return t;
        }));
        if (timer != null) {
            safely("record " + LlmMeters.CALL, () -> {
                timer.record(nanos, TimeUnit.NANOSECONDS);
                return null;
            });
        }
    }

    private void increment(@Nullable Counter counter) {
        if (counter != null) {
            safely("increment a counter", () -> {
                counter.increment();
                return null;
            });
        }
    }

    /** Instrumentation never breaks a call: failures are logged once and swallowed. */
    private <T> @Nullable T safely(String what, Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            if (meterWarningLogged.compareAndSet(false, true)) {
                LOG.warn("Could not {} for LLM provider {}; metrics may be incomplete", what, providerName, e);
            }
            return null;
        }
    }

    private static boolean isOpen(Guard guard) {
        if (guard.breaker() == null) {
            return false;
        }
        CircuitBreaker.State state = guard.breaker().getState();
        return state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }

    /** A call given up by the caller (interrupt) or by {@link #close()}: TIMEOUT, not recorded by the breaker. */
    private static final class AbortedException extends ProviderException {
        AbortedException(String message) {
            super(ErrorClass.TIMEOUT, message);
        }
    }
}
