package io.promptq.llm;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.time.Duration;

/**
 * How {@link ResilientLlm} guards a provider: the call timeout, one circuit breaker and one pair of rate
 * limiters (requests per second, tokens per minute) per provider and model. Built with
 * {@link #from(ConfigSource)} or {@link #builder()}; each value is checked in the canonical constructor against its
 * declared key, with the key in the message.
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
 * @param maxRetryAfter longest provider Retry-After honoured; longer ones are capped to it ({@link #MAX_RETRY_AFTER})
 * @param maxModels models with their own breaker, limiters and metric tags at a time ({@link #MAX_MODELS})
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
        long rateLimitTpm,
        Duration maxRetryAfter,
        int maxModels) {

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
    public static final boolean DEFAULT_BREAKER_ENABLED = true;
    public static final double DEFAULT_BREAKER_FAILURE_RATE = 50;
    public static final int DEFAULT_BREAKER_MIN_CALLS = 20;
    public static final int DEFAULT_BREAKER_WINDOW = 50;
    public static final Duration DEFAULT_BREAKER_OPEN_DURATION = Duration.ofSeconds(10);
    public static final int DEFAULT_BREAKER_HALF_OPEN_CALLS = 5;
    public static final double DEFAULT_RATE_LIMIT_RPS = 0;
    public static final long DEFAULT_RATE_LIMIT_TPM = 0;
    public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_MODELS = 100;

    private static final Duration MIN_DURATION = Duration.ofMillis(1);
    private static final Duration MAX_CALL_TIMEOUT = Duration.ofHours(1);
    private static final Duration MAX_OPEN_DURATION = Duration.ofHours(1);
    private static final int MAX_WINDOW = 100_000;
    private static final double MAX_RPS = 1_000_000;
    private static final Duration MAX_MAX_RETRY_AFTER = Duration.ofDays(1);
    private static final String PERCENTAGE_EXPECTED =
            "must be a percentage greater than 0 and at most 100, e.g. 50 or 50%";

    /** Upper bound of one provider call, e.g. {@code 60s}; a request's own timeout is capped to it (default 60s). */
    public static final ConfigKey<Duration> CALL_TIMEOUT =
            ConfigKey.duration("PROMPTQ_LLM_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT, MIN_DURATION, MAX_CALL_TIMEOUT);

    /** Guard each provider model with a circuit breaker that pauses calls (and intake) during outages (default true). */
    public static final ConfigKey<Boolean> BREAKER_ENABLED = ConfigKey.bool("PROMPTQ_LLM_BREAKER_ENABLED", DEFAULT_BREAKER_ENABLED);

    /** Percentage of transient failures in the sliding window that opens the breaker, in (0,100], {@code %} optional (default 50). */
    public static final ConfigKey<Double> BREAKER_FAILURE_RATE =
            ConfigKey.of("PROMPTQ_LLM_BREAKER_FAILURE_RATE", ResilienceConfig::percentage, ResilienceConfig::formatPercentage)
                    .and(rate -> rate > 0 && rate <= 100, PERCENTAGE_EXPECTED)
                    .withDefault(DEFAULT_BREAKER_FAILURE_RATE);

    /** Calls that must be recorded before the failure rate is evaluated; at most the window size (default 20). */
    public static final ConfigKey<Integer> BREAKER_MIN_CALLS =
            ConfigKey.integer("PROMPTQ_LLM_BREAKER_MIN_CALLS", DEFAULT_BREAKER_MIN_CALLS, 1, MAX_WINDOW);

    /** Size of the breaker's count-based sliding window, in calls (default 50). */
    public static final ConfigKey<Integer> BREAKER_WINDOW =
            ConfigKey.integer("PROMPTQ_LLM_BREAKER_WINDOW", DEFAULT_BREAKER_WINDOW, 1, MAX_WINDOW);

    /** How long an open breaker waits before letting trial calls through (default 10s). */
    public static final ConfigKey<Duration> BREAKER_OPEN_DURATION = ConfigKey.duration("PROMPTQ_LLM_BREAKER_OPEN_DURATION",
            DEFAULT_BREAKER_OPEN_DURATION, MIN_DURATION, MAX_OPEN_DURATION);

    /** Trial calls permitted while half-open; they decide between closing and re-opening (default 5). */
    public static final ConfigKey<Integer> BREAKER_HALF_OPEN_CALLS =
            ConfigKey.integer("PROMPTQ_LLM_BREAKER_HALF_OPEN_CALLS", DEFAULT_BREAKER_HALF_OPEN_CALLS, 1, MAX_WINDOW);

    /** Requests per second per provider model, decimals allowed; calls beyond it wait, never fail (default 0 = unlimited). */
    public static final ConfigKey<Double> RATE_LIMIT_RPS =
            ConfigKey.decimal("PROMPTQ_LLM_RATE_LIMIT_RPS", DEFAULT_RATE_LIMIT_RPS, 0, MAX_RPS);

    /**
     * Estimated tokens per minute per provider model (prompt characters / 4 + max tokens); calls beyond it wait
     * (default 0 = unlimited).
     */
    public static final ConfigKey<Long> RATE_LIMIT_TPM =
            ConfigKey.longInteger("PROMPTQ_LLM_RATE_LIMIT_TPM", DEFAULT_RATE_LIMIT_TPM, 0, Long.MAX_VALUE);

    /**
     * Longest Retry-After (or {@code retry-after-ms}) from a provider that the worker honours, e.g. {@code 5m};
     * a longer one is capped to it, so that a provider asking for an hour cannot hold a job (and its partition's
     * commit position) that long (default 5m).
     */
    public static final ConfigKey<Duration> MAX_RETRY_AFTER = ConfigKey.duration("PROMPTQ_LLM_MAX_RETRY_AFTER",
            DEFAULT_MAX_RETRY_AFTER, Duration.ZERO, MAX_MAX_RETRY_AFTER);

    /**
     * Models guarded at a time: beyond it the least recently used idle model's breaker and limiters are dropped (a
     * new guard is made if it comes back), and metric series are tagged with the first this-many model names only -
     * later ones share the tag {@code other} - so that many distinct model names cannot grow memory or
     * {@code /metrics} without bound (default 100).
     */
    public static final ConfigKey<Integer> MAX_MODELS =
            ConfigKey.integer("PROMPTQ_LLM_MAX_MODELS", DEFAULT_MAX_MODELS, 1, 100_000);

    public ResilienceConfig {
        CALL_TIMEOUT.check(callTimeout);
        BREAKER_FAILURE_RATE.check(breakerFailureRate);
        BREAKER_MIN_CALLS.check(breakerMinCalls);
        BREAKER_WINDOW.check(breakerWindow);
        BREAKER_OPEN_DURATION.check(breakerOpenDuration);
        BREAKER_HALF_OPEN_CALLS.check(breakerHalfOpenCalls);
        RATE_LIMIT_RPS.check(rateLimitRps);
        RATE_LIMIT_TPM.check(rateLimitTpm);
        MAX_RETRY_AFTER.check(maxRetryAfter);
        MAX_MODELS.check(maxModels);
        validate(breakerMinCalls, breakerWindow);
    }

    /**
     * All defaults: 60 s timeout, breaker on (50 % of 50 calls, at least 20; open 10 s; 5 trials), no rate limits,
     * Retry-After capped at 5 min.
     */
    public static ResilienceConfig defaults() {
        return new ResilienceConfig(DEFAULT_CALL_TIMEOUT, DEFAULT_BREAKER_ENABLED, DEFAULT_BREAKER_FAILURE_RATE,
                DEFAULT_BREAKER_MIN_CALLS, DEFAULT_BREAKER_WINDOW, DEFAULT_BREAKER_OPEN_DURATION,
                DEFAULT_BREAKER_HALF_OPEN_CALLS, DEFAULT_RATE_LIMIT_RPS, DEFAULT_RATE_LIMIT_TPM, DEFAULT_MAX_RETRY_AFTER,
                DEFAULT_MAX_MODELS);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** Reads and validates every resilience key. */
    public static ResilienceConfig from(ConfigSource source) {
        return new ResilienceConfig(
                CALL_TIMEOUT.read(source),
                BREAKER_ENABLED.read(source),
                BREAKER_FAILURE_RATE.read(source),
                BREAKER_MIN_CALLS.read(source),
                BREAKER_WINDOW.read(source),
                BREAKER_OPEN_DURATION.read(source),
                BREAKER_HALF_OPEN_CALLS.read(source),
                RATE_LIMIT_RPS.read(source),
                RATE_LIMIT_TPM.read(source),
                MAX_RETRY_AFTER.read(source),
                MAX_MODELS.read(source));
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Cross-field check: the breaker can only evaluate what its window holds. */
    private static void validate(int minCalls, int window) {
        if (minCalls > window) {
            throw new ConfigException(BREAKER_MIN_CALLS.name(), BREAKER_MIN_CALLS + " (" + minCalls + ") must not exceed "
                    + BREAKER_WINDOW + " (" + window + "): the sliding window holds only " + window + " calls");
        }
    }

    /** {@code 50} or {@code 50%}. */
    private static double percentage(String text) {
        String number = text.endsWith("%") ? text.substring(0, text.length() - 1).trim() : text;
        try {
            return Double.parseDouble(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PERCENTAGE_EXPECTED, e);
        }
    }

    private static String formatPercentage(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    /** Builds a {@link ResilienceConfig}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private Duration callTimeout;
        private boolean breakerEnabled;
        private double breakerFailureRate;
        private int breakerMinCalls;
        private int breakerWindow;
        private Duration breakerOpenDuration;
        private int breakerHalfOpenCalls;
        private double rateLimitRps;
        private long rateLimitTpm;
        private Duration maxRetryAfter;
        private int maxModels;

        private Builder(ResilienceConfig from) {
            callTimeout = from.callTimeout;
            breakerEnabled = from.breakerEnabled;
            breakerFailureRate = from.breakerFailureRate;
            breakerMinCalls = from.breakerMinCalls;
            breakerWindow = from.breakerWindow;
            breakerOpenDuration = from.breakerOpenDuration;
            breakerHalfOpenCalls = from.breakerHalfOpenCalls;
            rateLimitRps = from.rateLimitRps;
            rateLimitTpm = from.rateLimitTpm;
            maxRetryAfter = from.maxRetryAfter;
            maxModels = from.maxModels;
        }

        public Builder callTimeout(Duration value) {
            callTimeout = value;
            return this;
        }

        public Builder breakerEnabled(boolean value) {
            breakerEnabled = value;
            return this;
        }

        /** Failure percentage in (0, 100] that opens the breaker. */
        public Builder breakerFailureRate(double value) {
            breakerFailureRate = value;
            return this;
        }

        public Builder breakerMinCalls(int value) {
            breakerMinCalls = value;
            return this;
        }

        public Builder breakerWindow(int value) {
            breakerWindow = value;
            return this;
        }

        public Builder breakerOpenDuration(Duration value) {
            breakerOpenDuration = value;
            return this;
        }

        public Builder breakerHalfOpenCalls(int value) {
            breakerHalfOpenCalls = value;
            return this;
        }

        /** Requests per second per model, 0 = unlimited. */
        public Builder rateLimitRps(double value) {
            rateLimitRps = value;
            return this;
        }

        /** Estimated tokens per minute per model, 0 = unlimited. */
        public Builder rateLimitTpm(long value) {
            rateLimitTpm = value;
            return this;
        }

        /** Longest provider Retry-After honoured; longer ones are capped. */
        public Builder maxModels(int value) {
            maxModels = value;
            return this;
        }

        public Builder maxRetryAfter(Duration value) {
            maxRetryAfter = value;
            return this;
        }

        public ResilienceConfig build() {
            return new ResilienceConfig(callTimeout, breakerEnabled, breakerFailureRate, breakerMinCalls, breakerWindow,
                    breakerOpenDuration, breakerHalfOpenCalls, rateLimitRps, rateLimitTpm, maxRetryAfter,
                    maxModels);
        }
    }
}
