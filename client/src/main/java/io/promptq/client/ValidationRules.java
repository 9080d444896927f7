package io.promptq.client;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.webhook.WebhookTargets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The configurable limits {@link JobValidator} checks, shared by the HTTP API and the JVM client so both
 * paths accept exactly the same jobs. Immutable; checked on construction.
 *
 * @param maxTokensCap the largest {@code maxTokens} a job may ask for ({@link #MAX_TOKENS_CAP}, default
 *     {@value #DEFAULT_MAX_TOKENS_CAP})
 * @param defaultMaxTokens the {@code maxTokens} of a job that gives none ({@link #DEFAULT_MAX_TOKENS_KEY},
 *     default {@value #DEFAULT_DEFAULT_MAX_TOKENS} or the cap, whichever is smaller); at most the cap
 * @param modelAllowList the models jobs may name; empty means any model ({@link #MODEL_ALLOWLIST}, default empty)
 * @param maxMessages the most messages one job may carry ({@link #MAX_MESSAGES}, default {@value #DEFAULT_MAX_MESSAGES})
 * @param webhooks the callback URLs jobs may name and the tenants' defaults ({@code PROMPTQ_WEBHOOK_*}, see
 *     {@link WebhookTargets}; default: webhooks off)
 */
public record ValidationRules(int maxTokensCap, int defaultMaxTokens, Set<String> modelAllowList, int maxMessages,
        WebhookTargets webhooks) {

    public static final int DEFAULT_MAX_TOKENS_CAP = 32_768;
    public static final int DEFAULT_DEFAULT_MAX_TOKENS = 1_024;
    public static final int DEFAULT_MAX_MESSAGES = 256;

    /** Env key: the largest {@code maxTokens} a job may ask for. */
    public static final ConfigKey<Integer> MAX_TOKENS_CAP =
            ConfigKey.integer("PROMPTQ_PRODUCER_MAX_TOKENS_CAP", DEFAULT_MAX_TOKENS_CAP, 1, Integer.MAX_VALUE);
    /** Env key: {@code maxTokens} of jobs that give none; at most the cap, whose value it defaults to if smaller. */
    public static final ConfigKey<Integer> DEFAULT_MAX_TOKENS_KEY =
            ConfigKey.integer("PROMPTQ_PRODUCER_DEFAULT_MAX_TOKENS", DEFAULT_DEFAULT_MAX_TOKENS, 1, Integer.MAX_VALUE);
    /** Env key: comma-separated model names jobs may use; empty allows any model. */
    public static final ConfigKey<List<String>> MODEL_ALLOWLIST = ConfigKey.list("PROMPTQ_PRODUCER_MODEL_ALLOWLIST")
            .and(models -> models.stream().noneMatch(model -> model == null || model.isBlank()), "must not contain blank names");
    /** Env key: the most messages one job may carry. */
    public static final ConfigKey<Integer> MAX_MESSAGES =
            ConfigKey.integer("PROMPTQ_PRODUCER_MAX_MESSAGES", DEFAULT_MAX_MESSAGES, 1, 100_000);

    /** Fixed limits (not configurable): they bound record size and metadata, not policy. */
    public static final int MAX_TENANT_LENGTH = 128;
    public static final int MAX_MODEL_LENGTH = 128;
    public static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    /** Longest job id (the client makes 36-character UUIDs); checked again by workers for foreign producers. */
    public static final int MAX_JOB_ID_LENGTH = 128;
    public static final int MAX_STOP_SEQUENCES = 16;
    public static final int MAX_ATTRIBUTES = 64;
    public static final double MIN_TEMPERATURE = 0.0;
    public static final double MAX_TEMPERATURE = 2.0;
    /**
     * The latest deadline a job may carry: the last millisecond of year 9999, the largest year RFC 3339 can
     * write and far inside the epoch-millisecond range the record stores.
     */
    public static final Instant MAX_DEADLINE = Instant.parse("9999-12-31T23:59:59.999Z");

    public ValidationRules {
        MAX_TOKENS_CAP.check(maxTokensCap);
        DEFAULT_MAX_TOKENS_KEY.check(defaultMaxTokens);
        if (defaultMaxTokens > maxTokensCap) {
            throw ConfigException.invalid(DEFAULT_MAX_TOKENS_KEY.name(), defaultMaxTokens,
                    "must be between 1 and " + MAX_TOKENS_CAP + " (" + maxTokensCap + ")");
        }
        Objects.requireNonNull(modelAllowList, "modelAllowList");
        MODEL_ALLOWLIST.check(new ArrayList<>(modelAllowList));
        modelAllowList = Collections.unmodifiableSet(new LinkedHashSet<>(modelAllowList));
        MAX_MESSAGES.check(maxMessages);
        Objects.requireNonNull(webhooks, "webhooks");
    }

    /** Rules with webhooks off. */
    public ValidationRules(int maxTokensCap, int defaultMaxTokens, Set<String> modelAllowList, int maxMessages) {
        this(maxTokensCap, defaultMaxTokens, modelAllowList, maxMessages, WebhookTargets.none());
    }

    /** The defaults: cap {@value #DEFAULT_MAX_TOKENS_CAP}, any model. */
    public static ValidationRules defaults() {
        return new ValidationRules(DEFAULT_MAX_TOKENS_CAP, DEFAULT_DEFAULT_MAX_TOKENS, Set.of(), DEFAULT_MAX_MESSAGES);
    }

    /**
     * A builder starting from the defaults; unless set, the default {@code maxTokens} is
     * {@value #DEFAULT_DEFAULT_MAX_TOKENS} or the cap, whichever is smaller (as when read from the environment).
     */
    public static Builder builder() {
        return new Builder(defaults(), false);
    }

    /** Reads every key (see the constants) from {@code config}. */
    public static ValidationRules from(ConfigSource config) {
        int cap = MAX_TOKENS_CAP.read(config);
        int defaultMaxTokens = DEFAULT_MAX_TOKENS_KEY.readOptional(config).orElse(Math.min(DEFAULT_DEFAULT_MAX_TOKENS, cap));
        return new ValidationRules(cap, defaultMaxTokens, new LinkedHashSet<>(MODEL_ALLOWLIST.read(config)),
                MAX_MESSAGES.read(config), WebhookTargets.from(config));
    }

    /** A builder starting from these rules. */
    public Builder toBuilder() {
        return new Builder(this, true);
    }

    /** Whether {@code model} may be used under these rules. */
    public boolean allowsModel(String model) {
        return modelAllowList.isEmpty() || modelAllowList.contains(model);
    }
    /** Builds {@link ValidationRules}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private int maxTokensCap;
        private Integer defaultMaxTokens;
        private Set<String> modelAllowList;
        private int maxMessages;
        private WebhookTargets webhooks;

        private Builder(ValidationRules from, boolean withDefaultMaxTokens) {
            maxTokensCap = from.maxTokensCap;
            defaultMaxTokens = withDefaultMaxTokens ? from.defaultMaxTokens : null;
            modelAllowList = from.modelAllowList;
            maxMessages = from.maxMessages;
            webhooks = from.webhooks;
        }

        public Builder maxTokensCap(int value) {
            maxTokensCap = value;
            return this;
        }

        public Builder defaultMaxTokens(int value) {
            defaultMaxTokens = value;
            return this;
        }

        /** The models jobs may name; none: any model. */
        public Builder modelAllowList(Set<String> value) {
            modelAllowList = value;
            return this;
        }

        public Builder maxMessages(int value) {
            maxMessages = value;
            return this;
        }

        /** The callback URLs jobs may name and the tenants' defaults. */
        public Builder webhooks(WebhookTargets value) {
            webhooks = value;
            return this;
        }

        public ValidationRules build() {
            int maxTokens = defaultMaxTokens != null ? defaultMaxTokens : Math.min(DEFAULT_DEFAULT_MAX_TOKENS, maxTokensCap);
            return new ValidationRules(maxTokensCap, maxTokens, modelAllowList, maxMessages, webhooks);
        }
    }
}
