package io.promptq.llm;

import io.promptq.config.ConfigException;
import java.time.Duration;
import java.util.Locale;

/**
 * Behaviour of the in-process simulated provider: its latency and how often each failure class occurs.
 * Validated on construction with the keys {@link LlmConfig} declares (rates in [0,1], their sum at most 1);
 * messages name the environment key. Change a copy with {@link #toBuilder()}.
 *
 * <p>Per call, one uniform draw picks the outcome: with probability {@code transientRate} an HTTP 503, then
 * {@code rateLimitedRate} an HTTP 429 carrying {@code retryAfter}, then {@code timeoutRate} a hang until the
 * request's timeout, then {@code permanentRate} an HTTP 400; otherwise success.
 *
 * @param latency answer latency (also for failures, except timeouts and outages)
 * @param transientRate probability of HTTP 503 ({@link LlmConfig#SIM_TRANSIENT_RATE})
 * @param rateLimitedRate probability of HTTP 429 ({@link LlmConfig#SIM_RATE_LIMITED_RATE})
 * @param retryAfter Retry-After carried by a simulated 429 ({@link LlmConfig#SIM_RETRY_AFTER})
 * @param timeoutRate probability of a hang until the call's timeout ({@link LlmConfig#SIM_TIMEOUT_RATE})
 * @param permanentRate probability of HTTP 400 ({@link LlmConfig#SIM_PERMANENT_RATE})
 * @param seed seed of the random draws ({@link LlmConfig#SIM_SEED})
 * @param outage start in an outage: every call fails with 503 ({@link LlmConfig#SIM_OUTAGE})
 */
public record SimulatedSettings(
        LatencyDistribution latency,
        double transientRate,
        double rateLimitedRate,
        Duration retryAfter,
        double timeoutRate,
        double permanentRate,
        long seed,
        boolean outage) {

    public static final LatencyDistribution DEFAULT_LATENCY =
            LatencyDistribution.uniform(Duration.ofMillis(100), Duration.ofMillis(500));
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    public static final long DEFAULT_SEED = 42;

    public SimulatedSettings {
        LlmConfig.SIM_LATENCY.check(latency);
        LlmConfig.SIM_TRANSIENT_RATE.check(transientRate);
        LlmConfig.SIM_RATE_LIMITED_RATE.check(rateLimitedRate);
        LlmConfig.SIM_RETRY_AFTER.check(retryAfter);
        LlmConfig.SIM_TIMEOUT_RATE.check(timeoutRate);
        LlmConfig.SIM_PERMANENT_RATE.check(permanentRate);
        validate(transientRate, rateLimitedRate, timeoutRate, permanentRate);
    }

    /** Uniform 100-500 ms latency, no failures, seed 42. */
    public static SimulatedSettings defaults() {
        return new SimulatedSettings(DEFAULT_LATENCY, 0, 0, DEFAULT_RETRY_AFTER, 0, 0, DEFAULT_SEED, false);
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return defaults().toBuilder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Probability that a call fails (any class), outage aside. */
    public double failureRate() {
        return transientRate + rateLimitedRate + timeoutRate + permanentRate;
    }

    /** Cross-field check: the failure classes are exclusive outcomes of one draw, so their rates add up to at most 1. */
    private static void validate(double transientRate, double rateLimitedRate, double timeoutRate, double permanentRate) {
        double sum = transientRate + rateLimitedRate + timeoutRate + permanentRate;
        if (sum > 1 + 1e-9) {
            throw new ConfigException(LlmConfig.SIM_TRANSIENT_RATE.name(),
                    String.format(Locale.ROOT, "the sum of %s (%s), %s (%s), %s (%s) and %s (%s) is %s but must not exceed 1",
                            LlmConfig.SIM_TRANSIENT_RATE, transientRate,
                            LlmConfig.SIM_RATE_LIMITED_RATE, rateLimitedRate,
                            LlmConfig.SIM_TIMEOUT_RATE, timeoutRate,
                            LlmConfig.SIM_PERMANENT_RATE, permanentRate,
                            sum));
        }
    }

    @Override
    public String toString() {
        return "SimulatedSettings[latency=" + latency.spec() + ", transientRate=" + transientRate + ", rateLimitedRate=" + rateLimitedRate
                + ", retryAfter=" + retryAfter + ", timeoutRate=" + timeoutRate + ", permanentRate=" + permanentRate
                + ", seed=" + seed + ", outage=" + outage + "]";
    }
    /** Builds {@link SimulatedSettings}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private LatencyDistribution latency;
        private double transientRate;
        private double rateLimitedRate;
        private Duration retryAfter;
        private double timeoutRate;
        private double permanentRate;
        private long seed;
        private boolean outage;

        private Builder(SimulatedSettings from) {
            latency = from.latency;
            transientRate = from.transientRate;
            rateLimitedRate = from.rateLimitedRate;
            retryAfter = from.retryAfter;
            timeoutRate = from.timeoutRate;
            permanentRate = from.permanentRate;
            seed = from.seed;
            outage = from.outage;
        }

        public Builder latency(LatencyDistribution value) {
            latency = value;
            return this;
        }

        public Builder transientRate(double value) {
            transientRate = value;
            return this;
        }

        public Builder rateLimitedRate(double value) {
            rateLimitedRate = value;
            return this;
        }

        public Builder retryAfter(Duration value) {
            retryAfter = value;
            return this;
        }

        public Builder timeoutRate(double value) {
            timeoutRate = value;
            return this;
        }

        public Builder permanentRate(double value) {
            permanentRate = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder outage(boolean value) {
            outage = value;
            return this;
        }

        public SimulatedSettings build() {
            return new SimulatedSettings(latency, transientRate, rateLimitedRate, retryAfter, timeoutRate, permanentRate,
                    seed, outage);
        }
    }
}
