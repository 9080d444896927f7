package io.promptq.client;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The configurable limits {@link JobValidator} checks, shared by the HTTP API and the JVM client so both
 * paths accept exactly the same jobs. Immutable; checked on construction.
 *
 * @param maxTokensCap the largest {@code maxTokens} a job may ask for ({@value #MAX_TOKENS_CAP}, default
 *     {@value #DEFAULT_MAX_TOKENS_CAP})
 * @param defaultMaxTokens the {@code maxTokens} of a job that gives none ({@value #DEFAULT_MAX_TOKENS_KEY},
 *     default {@value #DEFAULT_DEFAULT_MAX_TOKENS} or the cap, whichever is smaller); at most the cap
 * @param modelAllowList the models jobs may name; empty means any model ({@value #MODEL_ALLOWLIST}, default empty)
 * @param maxMessages the most messages one job may carry ({@value #MAX_MESSAGES}, default {@value #DEFAULT_MAX_MESSAGES})
 */
public record ValidationRules(int maxTokensCap, int defaultMaxTokens, Set<String> modelAllowList, int maxMessages) {

    /** Env key: the largest {@code maxTokens} a job may ask for. */
    public static final String MAX_TOKENS_CAP = "PROMPTQ_PRODUCER_MAX_TOKENS_CAP";
    /** Env key: {@code maxTokens} of jobs that give none. */
    public static final String DEFAULT_MAX_TOKENS_KEY = "PROMPTQ_PRODUCER_DEFAULT_MAX_TOKENS";
    /** Env key: comma-separated model names jobs may use; empty allows any model. */
    public static final String MODEL_ALLOWLIST = "PROMPTQ_PRODUCER_MODEL_ALLOWLIST";
    /** Env key: the most messages one job may carry. */
    public static final String MAX_MESSAGES = "PROMPTQ_PRODUCER_MAX_MESSAGES";

    public static final int DEFAULT_MAX_TOKENS_CAP = 32_768;
    public static final int DEFAULT_DEFAULT_MAX_TOKENS = 1_024;
    public static final int DEFAULT_MAX_MESSAGES = 256;

    /** Fixed limits (not configurable): they bound record size and metadata, not policy. */
    public static final int MAX_TENANT_LENGTH = 128;
    public static final int MAX_MODEL_LENGTH = 200;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    public static final int MAX_STOP_SEQUENCES = 16;
    public static final int MAX_ATTRIBUTES = 64;
    public static final double MIN_TEMPERATURE = 0.0;
    public static final double MAX_TEMPERATURE = 2.0;

    public ValidationRules {
        if (maxTokensCap < 1) {
            throw ConfigException.invalid(MAX_TOKENS_CAP, maxTokensCap, "must be at least 1");
        }
        if (defaultMaxTokens < 1 || defaultMaxTokens > maxTokensCap) {
            throw ConfigException.invalid(DEFAULT_MAX_TOKENS_KEY, defaultMaxTokens,
                    "must be between 1 and " + MAX_TOKENS_CAP + " (" + maxTokensCap + ")");
        }
        Objects.requireNonNull(modelAllowList, "modelAllowList");
        for (String model : modelAllowList) {
            if (model == null || model.isBlank()) {
                throw ConfigException.invalid(MODEL_ALLOWLIST, modelAllowList, "must not contain blank names");
            }
        }
        modelAllowList = Collections.unmodifiableSet(new LinkedHashSet<>(modelAllowList));
        if (maxMessages < 1) {
            throw ConfigException.invalid(MAX_MESSAGES, maxMessages, "must be at least 1");
        }
    }

    /** The defaults: cap {@value #DEFAULT_MAX_TOKENS_CAP}, any model. */
    public static ValidationRules defaults() {
        return new ValidationRules(DEFAULT_MAX_TOKENS_CAP, DEFAULT_DEFAULT_MAX_TOKENS, Set.of(), DEFAULT_MAX_MESSAGES);
    }

    public static ValidationRules from(ConfigSource config) {
        int cap = config.integer(MAX_TOKENS_CAP, DEFAULT_MAX_TOKENS_CAP, 1, Integer.MAX_VALUE);
        int defaultMaxTokens = config.integer(DEFAULT_MAX_TOKENS_KEY, Math.min(DEFAULT_DEFAULT_MAX_TOKENS, cap),
                1, Integer.MAX_VALUE);
        List<String> models = config.list(MODEL_ALLOWLIST, List.of());
        int maxMessages = config.integer(MAX_MESSAGES, DEFAULT_MAX_MESSAGES, 1, 100_000);
        return new ValidationRules(cap, defaultMaxTokens, new LinkedHashSet<>(models), maxMessages);
    }

    /** A copy allowing only {@code models} (none: any model). */
    public ValidationRules withModelAllowList(Set<String> models) {
        return new ValidationRules(maxTokensCap, defaultMaxTokens, models, maxMessages);
    }

    /** A copy with another cap; the default {@code maxTokens} is lowered to the cap if above it. */
    public ValidationRules withMaxTokensCap(int cap) {
        return new ValidationRules(cap, Math.min(defaultMaxTokens, Math.max(cap, 1)), modelAllowList, maxMessages);
    }

    /** Whether {@code model} may be used under these rules. */
    public boolean allowsModel(String model) {
        return modelAllowList.isEmpty() || modelAllowList.contains(model);
    }
}
