package io.promptq.llm;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link ResilientLlm} guards a provider: the call timeout, one circuit breaker and one pair of rate
 * limiters (requests per second, tokens per minute) per provider and model. Built with
 * {@link #from(ConfigSource)}; each value is checked in the canonical constructor with the key in the message.
 *
 * <p><b>What opens the breaker.</b> Only transient provider faults count as failures: SERVER_ERROR (5xx),
 * TIMEOUT, CONNECTION and MALFORMED_RESPONSE. A 429 (RATE_LIMITED) is ignored by the breaker - the provider
 * is up and asking us to slow down, which the rate limiter and the retry delay (Retry-After) handle;
 * opening the breaker would only stop all traffic. Permanent answers (INVALID_REQUEST, AUTHENTICATION)
 * count as successes: the provider answered correctly, the request was at fault, and a batch of bad jobs
 * must not pause the intake of good ones.
 *
 * @param callTimeout upper bound of one provider call; requests asking for more are capped ({@link #CALL_TIMEOUT})
 * @param breakerEnabled whether a circuit breaker guards each model ({@link #BREAKER_ENABLED})
 * @param breakerFailureRate failure percentage in (0,100] that opens the breaker ({@link #BREAKER_FAILURE_RATE})
 * @param breakerMinCalls calls recorded before the failure rate is evaluated ({@link #BREAKER_MIN_CALLS})
 * @param breakerWindow size of the count-based sliding window ({@link #BREAKER_WINDOW})
 * @param breakerOpenDuration how long the breaker stays open before trial calls ({@link #BREAKER_OPEN_DURATION})
 * @param breakerHalfOpenCalls trial calls permitted while half-open ({@link #BREAKER_HALF_OPEN_CALLS})
 * @param rateLimitRps request budget per second per model, 0 = unlimited ({@link #RATE_LIMIT_RPS})
 * @param rateLimitTpm estimated-token budget per minute per model, 0 = unlimited ({@link #RATE_LIMIT_TPM})
 */
public record ResilienceConfig(
        Duration callTimeout,
        boolean breakerEnabled,
        double breakerFailureRate,
        int breakerMinCalls,
        int breakerWindow,
        Duration breakerOpenDuration,
        int breakerHalfOpenCalls,
        double rateLimitRps,
        long rateLimitTpm) {

    /** Upper bound of one provider call, e.g. {@code 60s}; a request's own timeout is capped to it (default 60s). */
    public static final String CALL_TIMEOUT = "PROMPTQ_LLM_CALL_TIMEOUT";

    /** Guard each provider model with a circuit breaker that pauses calls (and intake) during outages (default true). */
    public static final String BREAKER_ENABLED = "PROMPTQ_LLM_BREAKER_ENABLED";

    /** Percentage of transient failures in the sliding window that opens the breaker, in (0,100], {@code %} optional (default 50). */
    public static final String BREAKER_FAILURE_RATE = "PROMPTQ_LLM_BREAKER_FAILURE_RATE";

    /** Calls that must be recorded before the failure rate is evaluated; at most the window size (default 20). */
    public static final String BREAKER_MIN_CALLS = "PROMPTQ_LLM_BREAKER_MIN_CALLS";

    /** Size of the breaker's count-based sliding window, in calls (default 50). */
    public static final String BREAKER_WINDOW = "PROMPTQ_LLM_BREAKER_WINDOW";

    /** How long an open breaker waits before letting trial calls through (default 10s). */
    public static final String BREAKER_OPEN_DURATION = "PROMPTQ_LLM_BREAKER_OPEN_DURATION";

    /** Trial calls permitted while half-open; they decide between closing and re-opening (default 5). */
    public static final String BREAKER_HALF_OPEN_CALLS = "PROMPTQ_LLM_BREAKER_HALF_OPEN_CALLS";

    /** Requests per second per provider model, decimals allowed; calls beyond it wait, never fail (default 0 = unlimited). */
    public static final String RATE_LIMIT_RPS = "PROMPTQ_LLM_RATE_LIMIT_RPS";

    /**
     * Estimated tokens per minute per provider model (prompt characters / 4 + max tokens); calls beyond it wait
     * (default 0 = unlimited).
     */
    public static final String RATE_LIMIT_TPM = "PROMPTQ_LLM_RATE_LIMIT_TPM";

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
    public static final boolean DEFAULT_BREAKER_ENABLED = true;
    public static final double DEFAULT_BREAKER_FAILURE_RATE = 50;
    public static final int DEFAULT_BREAKER_MIN_CALLS = 20;
    public static final int DEFAULT_BREAKER_WINDOW = 50;
    public static final Duration DEFAULT_BREAKER_OPEN_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_BREAKER_HALF_OPEN_CALLS = 5;
    public static final double DEFAULT_RATE_LIMIT_RPS = 0;
    public static final long DEFAULT_RATE_LIMIT_TPM = 0;

    private static final Duration MIN_DURATION = Duration.ofMillis(1);
    private static final Duration MAX_CALL_TIMEOUT = Duration.ofHours(1);
    private static final Duration MAX_OPEN_DURATION = Duration.ofHours(1);
    private static final int MAX_WINDOW = 100_000;
    private static final double MAX_RPS = 1_000_000;

    public ResilienceConfig {
        Objects.requireNonNull(callTimeout, CALL_TIMEOUT);
        Objects.requireNonNull(breakerOpenDuration, BREAKER_OPEN_DURATION);
        checkDuration(CALL_TIMEOUT, callTimeout, MAX_CALL_TIMEOUT);
        if (!(breakerFailureRate > 0 && breakerFailureRate <= 100)) {
            throw ConfigException.invalid(BREAKER_FAILURE_RATE, breakerFailureRate, "must be a percentage greater than 0 and at most 100");
        }
        checkRange(BREAKER_MIN_CALLS, breakerMinCalls, 1, MAX_WINDOW);
        checkRange(BREAKER_WINDOW, breakerWindow, 1, MAX_WINDOW);
        checkDuration(BREAKER_OPEN_DURATION, breakerOpenDuration, MAX_OPEN_DURATION);
        checkRange(BREAKER_HALF_OPEN_CALLS, breakerHalfOpenCalls, 1, MAX_WINDOW);
        if (!(rateLimitRps >= 0 && rateLimitRps <= MAX_RPS)) {
            throw ConfigException.invalid(RATE_LIMIT_RPS, rateLimitRps, "must be between 0 (unlimited) and " + (long) MAX_RPS);
        }
        if (rateLimitTpm < 0) {
            throw ConfigException.invalid(RATE_LIMIT_TPM, rateLimitTpm, "must be 0 (unlimited) or positive");
        }
        validate(breakerMinCalls, breakerWindow);
    }

    /** All defaults: 60 s timeout, breaker on (50 % of 50 calls, at least 20; open 10 s; 5 trials), no rate limits. */
    public static ResilienceConfig defaults() {
        return new ResilienceConfig(DEFAULT_CALL_TIMEOUT, DEFAULT_BREAKER_ENABLED, DEFAULT_BREAKER_FAILURE_RATE,
                DEFAULT_BREAKER_MIN_CALLS, DEFAULT_BREAKER_WINDOW, DEFAULT_BREAKER_OPEN_DURATION,
                DEFAULT_BREAKER_HALF_OPEN_CALLS, DEFAULT_RATE_LIMIT_RPS, DEFAULT_RATE_LIMIT_TPM);
    }

    /** Reads and validates every resilience key. */
    public static ResilienceConfig from(ConfigSource source) {
        return new ResilienceConfig(
                source.duration(CALL_TIMEOUT, DEFAULT_CALL_TIMEOUT, MIN_DURATION, MAX_CALL_TIMEOUT),
                source.bool(BREAKER_ENABLED, DEFAULT_BREAKER_ENABLED),
                percentage(source),
                source.integer(BREAKER_MIN_CALLS, DEFAULT_BREAKER_MIN_CALLS, 1, MAX_WINDOW),
                source.integer(BREAKER_WINDOW, DEFAULT_BREAKER_WINDOW, 1, MAX_WINDOW),
                source.duration(BREAKER_OPEN_DURATION, DEFAULT_BREAKER_OPEN_DURATION, MIN_DURATION, MAX_OPEN_DURATION),
                source.integer(BREAKER_HALF_OPEN_CALLS, DEFAULT_BREAKER_HALF_OPEN_CALLS, 1, MAX_WINDOW),
                source.decimal(RATE_LIMIT_RPS, DEFAULT_RATE_LIMIT_RPS, 0, MAX_RPS),
                source.longValue(RATE_LIMIT_TPM, DEFAULT_RATE_LIMIT_TPM, 0, Long.MAX_VALUE));
    }

    public ResilienceConfig withCallTimeout(Duration value) {
        return new ResilienceConfig(value, breakerEnabled, breakerFailureRate, breakerMinCalls, breakerWindow,
                breakerOpenDuration, breakerHalfOpenCalls, rateLimitRps, rateLimitTpm);
    }

    public ResilienceConfig withBreakerEnabled(boolean value) {
        return new ResilienceConfig(callTimeout, value, breakerFailureRate, breakerMinCalls, breakerWindow,
                breakerOpenDuration, breakerHalfOpenCalls, rateLimitRps, rateLimitTpm);
    }

    /** A copy with other breaker settings (failure percentage, minimum calls, window, open duration, half-open calls). */
    public ResilienceConfig withBreaker(double failureRate, int minCalls, int window, Duration openDuration, int halfOpenCalls) {
        return new ResilienceConfig(callTimeout, breakerEnabled, failureRate, minCalls, window, openDuration,
                halfOpenCalls, rateLimitRps, rateLimitTpm);
    }

    /** A copy with other rate limits (0 = unlimited). */
    public ResilienceConfig withRateLimits(double rps, long tpm) {
        return new ResilienceConfig(callTimeout, breakerEnabled, breakerFailureRate, breakerMinCalls, breakerWindow,
                breakerOpenDuration, breakerHalfOpenCalls, rps, tpm);
    }

    /** Cross-field check: the breaker can only evaluate what its window holds. */
    private static void validate(int minCalls, int window) {
        if (minCalls > window) {
            throw new ConfigException(BREAKER_MIN_CALLS, BREAKER_MIN_CALLS + " (" + minCalls + ") must not exceed "
                    + BREAKER_WINDOW + " (" + window + "): the sliding window holds only " + window + " calls");
        }
    }

    private static double percentage(ConfigSource source) {
        String raw = source.optional(BREAKER_FAILURE_RATE).orElse(null);
        if (raw == null) {
            return DEFAULT_BREAKER_FAILURE_RATE;
        }
        String number = raw.endsWith("%") ? raw.substring(0, raw.length() - 1).trim() : raw;
        try {
            return ConfigSource.of(Map.of(BREAKER_FAILURE_RATE, number)).decimal(BREAKER_FAILURE_RATE, DEFAULT_BREAKER_FAILURE_RATE, Double.MIN_VALUE, 100);
        } catch (ConfigException e) {
            throw ConfigException.invalid(BREAKER_FAILURE_RATE, raw, "must be a percentage greater than 0 and at most 100, e.g. 50 or 50%");
        }
    }

    private static void checkRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw ConfigException.invalid(key, value, "must be between " + min + " and " + max);
        }
    }

    private static void checkDuration(String key, Duration value, Duration max) {
        if (value.compareTo(MIN_DURATION) < 0 || value.compareTo(max) > 0) {
            throw ConfigException.invalid(key, value, "must be between 1ms and " + max.toHours() + "h");
        }
    }
}
