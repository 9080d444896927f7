package io.promptq.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A prompt job as an upstream system asks for it, before validation and before promptq assigns it a
 * job id. Build one with {@link #builder()}; {@link JobValidator} decides whether it may be published.
 *
 * <p>Optional values are {@code null} when not given; the publisher then applies the defaults:
 * temperature {@value #DEFAULT_TEMPERATURE}, {@code maxTokens} from {@link ValidationRules#defaultMaxTokens()},
 * no deadline, priority 0. The record holds exactly what the caller gave, so a validator can name every
 * bad field, and the HTTP API maps its JSON body onto it field by field.
 *
 * @param tenant who submits the job (required; letters, digits, {@code . _ -})
 * @param model the model to run (required; must be on the allow-list when one is configured)
 * @param messages the chat prompt, in order (at least one)
 * @param temperature sampling temperature in [0, 2], or null for {@value #DEFAULT_TEMPERATURE}
 * @param maxTokens upper bound of generated tokens, &gt; 0 and at most the configured cap, or null for the default
 * @param topP nucleus sampling in (0, 1], or null
 * @param seed sampling seed, or null
 * @param stop stop sequences (never null)
 * @param deadline after this instant the job is expired instead of run; must lie in the future; or null
 * @param idempotencyKey when given, the job id is derived from tenant and key ({@link JobIds#derive}), so a
 *     resubmission names the same job; or null for a random job id
 * @param priority scheduling hint, higher first (default 0)
 * @param attributes free-form metadata carried to the result (never null)
 * @param extra provider-specific generation parameters, passed through as strings (never null)
 * @param callbackUrl the webhook called with the result once the job is terminal (must be on the allow-list,
 *     {@code PROMPTQ_WEBHOOK_ALLOWED_URLS}), or null for the tenant's default ({@code PROMPTQ_WEBHOOK_TENANT_URLS})
 *     or none
 */
public record JobRequest(
        String tenant,
        String model,
        List<Message> messages,
        @Nullable Double temperature,
        @Nullable Integer maxTokens,
        @Nullable Double topP,
        @Nullable Long seed,
        List<String> stop,
        @Nullable Instant deadline,
        @Nullable String idempotencyKey,
        int priority,
        Map<String, String> attributes,
        Map<String, String> extra,
        @Nullable String callbackUrl) {

    /** Temperature used when a request gives none (the schema's default). */
    public static final double DEFAULT_TEMPERATURE = 1.0;

    public JobRequest {
        messages = messages == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(messages));
        stop = stop == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(stop));
        attributes = attributes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** A request without a callback URL (the form before webhooks existed). */
    public JobRequest(String tenant, String model, List<Message> messages, @Nullable Double temperature,
            @Nullable Integer maxTokens, @Nullable Double topP, @Nullable Long seed, List<String> stop,
            @Nullable Instant deadline, @Nullable String idempotencyKey, int priority, Map<String, String> attributes,
            Map<String, String> extra) {
        this(tenant, model, messages, temperature, maxTokens, topP, seed, stop, deadline, idempotencyKey, priority,
                attributes, extra, null);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this request's values, e.g. to change the tenant. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.tenant = tenant;
        b.model = model;
        b.messages.addAll(messages);
        b.temperature = temperature;
        b.maxTokens = maxTokens;
        b.topP = topP;
        b.seed = seed;
        b.stop.addAll(stop);
        b.deadline = deadline;
        b.idempotencyKey = idempotencyKey;
        b.priority = priority;
        b.attributes.putAll(attributes);
        b.extra.putAll(extra);
        b.callbackUrl = callbackUrl;
        return b;
    }

    /**
     * One chat message. The role is kept as text so that an unknown role is reported by the validator
     * (field {@code messages[i].role}) instead of failing while the request is built.
     *
     * @param role {@code system}, {@code user}, {@code assistant} or {@code tool} (case-insensitive)
     * @param content the text (non-empty)
     */
    public record Message(String role, String content) {

        public static final String SYSTEM = "system";
        public static final String USER = "user";
        public static final String ASSISTANT = "assistant";
        public static final String TOOL = "tool";

        public static Message system(String content) {
            return new Message(SYSTEM, content);
        }

        public static Message user(String content) {
            return new Message(USER, content);
        }

        public static Message assistant(String content) {
            return new Message(ASSISTANT, content);
        }

        /** The role in lower case, or null. */
        public @Nullable String normalizedRole() {
            return role == null ? null : role.trim().toLowerCase(Locale.ROOT);
        }
    }

    /** Collects the values of a {@link JobRequest}; not thread-safe. Nothing is checked until validation. */
    public static final class Builder {
        private String tenant;
        private String model;
        private final List<Message> messages = new ArrayList<>();
        private Double temperature;
        private Integer maxTokens;
        private Double topP;
        private Long seed;
        private final List<String> stop = new ArrayList<>();
        private Instant deadline;
        private String idempotencyKey;
        private int priority;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final Map<String, String> extra = new LinkedHashMap<>();
        private String callbackUrl;

        private Builder() {}

        public Builder tenant(String tenant) {
            this.tenant = tenant;
            return this;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** Appends a system message. */
        public Builder system(String content) {
            return message(Message.system(content));
        }

        /** Appends a user message. */
        public Builder user(String content) {
            return message(Message.user(content));
        }

        /** Appends an assistant message (for few-shot prompts and conversations). */
        public Builder assistant(String content) {
            return message(Message.assistant(content));
        }

        /** Appends a message with the given role. */
        public Builder message(String role, String content) {
            return message(new Message(role, content));
        }

        public Builder message(Message message) {
            messages.add(message);
            return this;
        }

        /** Replaces the messages. */
        public Builder messages(List<Message> messages) {
            this.messages.clear();
            this.messages.addAll(messages);
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Appends a stop sequence. */
        public Builder stop(String sequence) {
            stop.add(sequence);
            return this;
        }

        /** Replaces the stop sequences. */
        public Builder stop(List<String> sequences) {
            stop.clear();
            stop.addAll(sequences);
            return this;
        }

        public Builder deadline(Instant deadline) {
            this.deadline = deadline;
            return this;
        }

        public Builder idempotencyKey(String idempotencyKey) {
            this.idempotencyKey = idempotencyKey;
            return this;
        }

        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder attribute(String key, String value) {
            attributes.put(key, value);
            return this;
        }

        /** Replaces the attributes. */
        public Builder attributes(Map<String, String> attributes) {
            this.attributes.clear();
            this.attributes.putAll(attributes);
            return this;
        }

        /** Adds a provider-specific generation parameter. */
        public Builder extra(String key, String value) {
            extra.put(key, value);
            return this;
        }

        /** Replaces the provider-specific generation parameters. */
        public Builder extra(Map<String, String> extra) {
            this.extra.clear();
            this.extra.putAll(extra);
            return this;
        }

        /** The webhook called with the result; null: the tenant's default, if any. */
        public Builder callbackUrl(String callbackUrl) {
            this.callbackUrl = callbackUrl;
            return this;
        }

        public JobRequest build() {
            return new JobRequest(tenant, model, messages, temperature, maxTokens, topP, seed, stop, deadline,
                    idempotencyKey, priority, attributes, extra, callbackUrl);
        }
    }
}
