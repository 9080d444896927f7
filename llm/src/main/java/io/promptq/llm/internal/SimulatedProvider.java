package io.promptq.llm.internal;

import io.promptq.config.Durations;
import io.promptq.llm.CallObserver;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process stand-in for an LLM endpoint: sleeps a drawn latency and fails with the configured rates.
 *
 * <p><b>Determinism.</b> Each call draws from its own {@link SplittableRandom} seeded with a mix of the
 * configured seed, a hash of the job id and a per-provider call sequence number. The same seed therefore
 * reproduces the same outcomes in a single-threaded run, the draws are thread-safe without locking, and a
 * retried job gets a fresh draw - so it can succeed after failing.
 *
 * <p>Outcomes per call (see {@link SimulatedSettings}): during an outage an immediate 503; otherwise the
 * drawn latency is slept (capped at the request's timeout - a latency at or beyond it becomes a TIMEOUT) and
 * then either a failure of the drawn class or a success is returned; the TIMEOUT class sleeps the whole
 * timeout. The answer is a short deterministic echo; token counts are estimated at ~4 characters per token.
 */
public final class SimulatedProvider implements SimulatedLlm {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProvider.class);
    private static final String NAME = "simulated";
    private static final int CHARS_PER_TOKEN = 4;
    private static final int ECHO_CHARS = 80;
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final SimulatedSettings settings;
    private final AtomicLong sequence = new AtomicLong();
    private final List<CallObserver> observers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean observerFailureLogged = new AtomicBoolean();
    private volatile LatencyDistribution latency;
    private volatile boolean outage;

    public SimulatedProvider(SimulatedSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.latency = settings.latency();
        this.outage = settings.outage();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SimulatedSettings settings() {
        return settings;
    }

    @Override
    public void setOutage(boolean outage) {
        if (this.outage != outage) {
            LOG.info("Simulated provider outage {}", outage ? "started" : "ended");
        }
        this.outage = outage;
    }

    @Override
    public boolean outage() {
        return outage;
    }

    @Override
    public void setLatency(LatencyDistribution latency) {
        this.latency = Objects.requireNonNull(latency, "latency");
    }

    @Override
    public LatencyDistribution latency() {
        return latency;
    }

    @Override
    public void addObserver(CallObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    @Override
    public void removeObserver(CallObserver observer) {
        observers.remove(observer);
    }

    @Override
    public long calls() {
        return sequence.get();
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        notifyStart(request);
        try {
            LlmResponse response = run(request);
            notifyEnd(request, null);
            return response;
        } catch (ProviderException e) {
            notifyEnd(request, e);
            throw e;
        }
    }

    private LlmResponse run(LlmRequest request) {
        long seq = sequence.getAndIncrement();
        if (outage) {
            throw failure(ErrorClass.SERVER_ERROR, 503, request, "simulated outage: service unavailable", null, null);
        }
        if (request.messages().isEmpty()) {
            throw failure(ErrorClass.INVALID_REQUEST, 400, request, "'messages' must contain at least one message", null, null);
        }
        SplittableRandom random = new SplittableRandom(mix(settings.seed(), request.jobId(), seq));
        double u = random.nextDouble();
        Duration drawn = latency.sample(random);
        Duration timeout = request.timeout();

        ErrorClass outcome = drawOutcome(u, settings);
        if (outcome == ErrorClass.TIMEOUT || drawn.compareTo(timeout) >= 0) {
            sleep(timeout, request);
            throw failure(ErrorClass.TIMEOUT, null, request, "simulated call did not answer within " + Durations.format(timeout), null, null);
        }
        sleep(drawn, request);
        if (outcome == null) {
            return answer(request);
        }
        throw switch (outcome) {
            case SERVER_ERROR -> failure(outcome, 503, request, "simulated transient server error", null, null);
            case RATE_LIMITED -> failure(outcome, 429, request, "simulated rate limit, retry after " + Durations.format(settings.retryAfter()), settings.retryAfter(), null);
            default -> failure(outcome, 400, request, "simulated invalid request", null, null);
        };
    }

    /** The failure class that the uniform draw {@code u} in [0,1) selects, or {@code null} for success. */
    static @Nullable ErrorClass drawOutcome(double u, SimulatedSettings s) {
        double transientEnd = s.transientRate();
        double rateLimitedEnd = transientEnd + s.rateLimitedRate();
        double timeoutEnd = rateLimitedEnd + s.timeoutRate();
        double permanentEnd = timeoutEnd + s.permanentRate();
        if (u < transientEnd) {
            return ErrorClass.SERVER_ERROR;
        } else if (u < rateLimitedEnd) {
            return ErrorClass.RATE_LIMITED;
        } else if (u < timeoutEnd) {
            return ErrorClass.TIMEOUT;
        } else if (u < permanentEnd) {
            return ErrorClass.INVALID_REQUEST;
        }
        return null;
    }

    /** Sizes are derived from the prompt so that token accounting downstream has something to count. */
    private static LlmResponse answer(LlmRequest request) {
        String last = request.messages().get(request.messages().size() - 1).content();
        String echo = last.length() > ECHO_CHARS ? last.substring(0, ECHO_CHARS) : last;
        String text = "[simulated " + request.model() + "] " + echo;
        String finish = "stop";
        long maxChars = (long) request.maxTokens() * CHARS_PER_TOKEN;
        if (request.maxTokens() > 0 && text.length() > maxChars) {
            text = text.substring(0, (int) maxChars);
            finish = "length";
        }
        return new LlmResponse(text, finish, tokens(request.promptChars()), tokens(text.length()));
    }

    private static long tokens(long chars) {
        return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
    }

    private static void sleep(Duration duration, LlmRequest request) {
        if (duration.isZero() || duration.isNegative()) {
            return;
        }
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(ErrorClass.TIMEOUT, null, request, "simulated call interrupted", null, e);
        }
    }

    private static ProviderException failure(ErrorClass errorClass, Integer status, LlmRequest request, String message,
            Duration retryAfter, Throwable cause) {
        return new ProviderException(errorClass,
                NAME + (status == null ? "" : " HTTP " + status) + ": " + message + " (job " + request.jobId() + ", model " + request.model() + ")",
                status, retryAfter, cause);
    }

    /** Seed of one call's draws; SplittableRandom scrambles it further, so a simple combination suffices. */
    static long mix(long seed, String jobId, long sequence) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : jobId.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return (seed * GOLDEN + hash) * GOLDEN + sequence;
    }

    private void notifyStart(LlmRequest request) {
        for (CallObserver observer : observers) {
            try {
                observer.onCallStart(request);
            } catch (RuntimeException e) {
                observerFailed(observer, "start", request, e);
            }
        }
    }

    private void notifyEnd(LlmRequest request, ProviderException failure) {
        for (CallObserver observer : observers) {
            try {
                observer.onCallEnd(request, failure);
            } catch (RuntimeException e) {
                observerFailed(observer, "end", request, e);
            }
        }
    }

    /** Warns once with the stack trace, then at debug level, so a broken observer cannot flood the log. */
    private void observerFailed(CallObserver observer, String phase, LlmRequest request, RuntimeException e) {
        if (observerFailureLogged.compareAndSet(false, true)) {
            LOG.warn("Call observer {} failed at the {} of job {}; further observer failures are logged at DEBUG", observer, phase, request.jobId(), e);
        } else {
            LOG.debug("Call observer {} failed at the {} of job {}: {}", observer, phase, request.jobId(), e.toString());
        }
    }

    @Override
    public String toString() {
        return "SimulatedProvider[" + settings.toBuilder().latency(latency).outage(outage).build() + "]";
    }
}
