package io.promptq.producer.loadgen;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link LoadGenerator} run publishes and how fast. Immutable; checked on construction. Start from
 * {@link #defaults(int)} and change values with the {@code with*} methods (a CLI maps its flags onto these).
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

    public LoadOptions withRatePerSecond(double rate) {
        return new LoadOptions(jobs, rate, maxInFlight, batchSize, promptsFile, tenant, model, maxTokens, promptChars,
                progressInterval);
    }

    public LoadOptions withMaxInFlight(int max) {
        return new LoadOptions(jobs, ratePerSecond, max, batchSize, promptsFile, tenant, model, maxTokens, promptChars,
                progressInterval);
    }

    public LoadOptions withBatchSize(int size) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, size, promptsFile, tenant, model, maxTokens,
                promptChars, progressInterval);
    }

    public LoadOptions withPromptsFile(Path file) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, Optional.of(file), tenant, model, maxTokens,
                promptChars, progressInterval);
    }

    public LoadOptions withTenant(String name) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, Optional.ofNullable(name),
                model, maxTokens, promptChars, progressInterval);
    }

    public LoadOptions withModel(String name) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, tenant, name, maxTokens,
                promptChars, progressInterval);
    }

    public LoadOptions withMaxTokens(int tokens) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, tenant, model, tokens,
                promptChars, progressInterval);
    }

    public LoadOptions withPromptChars(int chars) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, tenant, model, maxTokens,
                chars, progressInterval);
    }

    public LoadOptions withProgressInterval(Duration interval) {
        return new LoadOptions(jobs, ratePerSecond, maxInFlight, batchSize, promptsFile, tenant, model, maxTokens,
                promptChars, interval);
    }
}
