package io.promptq.producer.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link LoadGenerator} run publishes and how fast. Immutable; checked on construction. Start from
 * {@link #builder(int)} (a CLI maps its flags onto the builder's setters).
 *
 * @param jobs how many jobs to publish (&ge; 1)
 * @param ratePerSecond target rate in jobs per second; 0 publishes as fast as {@code maxInFlight} allows
 * @param maxInFlight most requests (HTTP) or sends (Kafka) outstanding at once (default {@value #DEFAULT_MAX_IN_FLIGHT})
 * @param batchSize jobs per HTTP request: 1 uses {@code POST /v1/jobs}, more use {@code POST /v1/jobs/batch}
 *     (ignored for Kafka targets)
 * @param promptsFile a JSONL file of prompts, cycled through; each line is a job object as in the HTTP API
 *     (missing tenant, model and maxTokens are filled from these options) or a JSON string used as the user
 *     message; empty generates prompts
 * @param tenant tenant of the jobs; empty lets the producer decide (the token's tenant, or its default) over
 *     HTTP and uses {@value #DEFAULT_TENANT} for Kafka
 * @param model model of the jobs (default {@value #DEFAULT_MODEL})
 * @param maxTokens {@code maxTokens} of the jobs (default {@value #DEFAULT_MAX_TOKENS})
 * @param promptChars length of generated prompts (default {@value #DEFAULT_PROMPT_CHARS})
 * @param progressInterval how often the progress listener is called (default 250 ms)
 */
public record LoadOptions(
        int jobs,
        double ratePerSecond,
        int maxInFlight,
        int batchSize,
        Optional<Path> promptsFile,
        Optional<String> tenant,
        String model,
        int maxTokens,
        int promptChars,
        Duration progressInterval) {

    public static final int DEFAULT_MAX_IN_FLIGHT = 64;
    public static final String DEFAULT_TENANT = "default";
    public static final String DEFAULT_MODEL = "mock-1";
    public static final int DEFAULT_MAX_TOKENS = 64;
    public static final int DEFAULT_PROMPT_CHARS = 200;
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMillis(250);

    public LoadOptions {
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, but was " + jobs);
        }
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("ratePerSecond must be >= 0 (0 = unlimited), but was " + ratePerSecond);
        }
        if (maxInFlight < 1 || maxInFlight > 100_000) {
            throw new IllegalArgumentException("maxInFlight must be between 1 and 100000, but was " + maxInFlight);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batchSize must be between 1 and 100000, but was " + batchSize);
        }
        Objects.requireNonNull(promptsFile, "promptsFile");
        Objects.requireNonNull(tenant, "tenant");
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank, but was '" + model + "'");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, but was " + maxTokens);
        }
        if (promptChars < 1 || promptChars > 10_000_000) {
            throw new IllegalArgumentException("promptChars must be between 1 and 10000000, but was " + promptChars);
        }
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("progressInterval must be positive, but was " + progressInterval);
        }
    }

    /** {@code jobs} generated jobs, as fast as possible, with every other value at its default. */
    public static LoadOptions defaults(int jobs) {
        return new LoadOptions(jobs, 0, DEFAULT_MAX_IN_FLIGHT, 1, Optional.empty(), Optional.empty(), DEFAULT_MODEL,
                DEFAULT_MAX_TOKENS, DEFAULT_PROMPT_CHARS, DEFAULT_PROGRESS_INTERVAL);
    }

    /** A builder for {@code jobs} jobs starting from {@link #defaults(int)}. */
    public static Builder builder(int jobs) {
        return defaults(jobs).toBuilder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }
    /** Builds a {@link LoadOptions}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private int jobs;
        private double ratePerSecond;
        private int maxInFlight;
        private int batchSize;
        private Optional<Path> promptsFile;
        private Optional<String> tenant;
        private String model;
        private int maxTokens;
        private int promptChars;
        private Duration progressInterval;

        private Builder(LoadOptions from) {
            jobs = from.jobs;
            ratePerSecond = from.ratePerSecond;
            maxInFlight = from.maxInFlight;
            batchSize = from.batchSize;
            promptsFile = from.promptsFile;
            tenant = from.tenant;
            model = from.model;
            maxTokens = from.maxTokens;
            promptChars = from.promptChars;
            progressInterval = from.progressInterval;
        }

        public Builder jobs(int value) {
            jobs = value;
            return this;
        }

        public Builder ratePerSecond(double value) {
            ratePerSecond = value;
            return this;
        }

        public Builder maxInFlight(int value) {
            maxInFlight = value;
            return this;
        }

        public Builder batchSize(int value) {
            batchSize = value;
            return this;
        }

        /** Cycle through the prompts of this JSONL file instead of generating them. */
        public Builder promptsFile(Path value) {
            promptsFile = Optional.of(value);
            return this;
        }

        /** The jobs' tenant; {@code null} lets the producer decide. */
        public Builder tenant(String value) {
            tenant = Optional.ofNullable(value);
            return this;
        }

        public Builder model(String value) {
            model = value;
            return this;
        }

        public Builder maxTokens(int value) {
            maxTokens = value;
            return this;
        }

        public Builder promptChars(int value) {
            promptChars = value;
            return this;
        }

        public Builder progressInterval(Duration value) {
            progressInterval = value;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, tenant, model, maxTokens,
                    promptChars, progressInterval);
        }
    }
}
