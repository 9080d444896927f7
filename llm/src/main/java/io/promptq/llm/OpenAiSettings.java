package io.promptq.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the OpenAI-compatible HTTP provider, checked with the keys {@link LlmConfig} declares.
 * {@link #toString()} never shows the API key. Change a copy with {@link #toBuilder()}.
 *
 * @param baseUrl API root including the version segment, e.g. {@code https://api.openai.com/v1} or
 *     {@code http://127.0.0.1:11434/v1} (Ollama); a trailing slash is dropped ({@link LlmConfig#OPENAI_BASE_URL})
 * @param apiKey bearer token, absent for servers that need none ({@link LlmConfig#OPENAI_API_KEY})
 * @param modelMap job model name to provider model name; unmapped names pass through ({@link LlmConfig#OPENAI_MODEL_MAP})
 * @param connectTimeout connect timeout of the HTTP client ({@link LlmConfig#OPENAI_CONNECT_TIMEOUT})
 */
public record OpenAiSettings(URI baseUrl, Optional<String> apiKey, Map<String, String> modelMap, Duration connectTimeout,
        int maxResponseBytes) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Largest response body read ({@link LlmConfig#MAX_RESPONSE_BYTES}): 8 MiB. */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

    /** Settings with the default response size limit ({@link #DEFAULT_MAX_RESPONSE_BYTES}). */
    public OpenAiSettings(URI baseUrl, Optional<String> apiKey, Map<String, String> modelMap, Duration connectTimeout) {
        this(baseUrl, apiKey, modelMap, connectTimeout, DEFAULT_MAX_RESPONSE_BYTES);
    }

    public OpenAiSettings {
        LlmConfig.OPENAI_BASE_URL.check(baseUrl);
        String text = baseUrl.toString();
        if (text.endsWith("/")) {
            baseUrl = URI.create(text.substring(0, text.length() - 1));
        }
        apiKey = Objects.requireNonNull(apiKey, LlmConfig.OPENAI_API_KEY.name()).filter(k -> !k.isBlank());
        modelMap = Map.copyOf(LlmConfig.OPENAI_MODEL_MAP.check(modelMap));
        LlmConfig.OPENAI_CONNECT_TIMEOUT.check(connectTimeout);
        LlmConfig.MAX_RESPONSE_BYTES.check(maxResponseBytes);
    }

    /** api.openai.com, no key, no model map, 10 s connect timeout. */
    public static OpenAiSettings defaults() {
        return new OpenAiSettings(DEFAULT_BASE_URL, Optional.empty(), Map.of(), DEFAULT_CONNECT_TIMEOUT);
    }

    /** Settings for a server at {@code baseUrl}, optionally with a key; no model map, default connect timeout. */
    public static OpenAiSettings of(String baseUrl, String apiKey) {
        return new OpenAiSettings(URI.create(baseUrl), Optional.ofNullable(apiKey), Map.of(), DEFAULT_CONNECT_TIMEOUT);
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The provider's name for a job's model. */
    public String providerModel(String jobModel) {
        return modelMap.getOrDefault(jobModel, jobModel);
    }

    @Override
    public String toString() {
        return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>")
                + ", modelMap=" + modelMap + ", connectTimeout=" + connectTimeout + ", maxResponseBytes=" + maxResponseBytes
                + "]";
    }
    /** Builds {@link OpenAiSettings}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private URI baseUrl;
        private Optional<String> apiKey;
        private Map<String, String> modelMap;
        private Duration connectTimeout;
        private int maxResponseBytes;

        private Builder(OpenAiSettings from) {
            baseUrl = from.baseUrl;
            apiKey = from.apiKey;
            modelMap = from.modelMap;
            connectTimeout = from.connectTimeout;
            maxResponseBytes = from.maxResponseBytes;
        }

        public Builder baseUrl(URI value) {
            baseUrl = value;
            return this;
        }

        public Builder apiKey(Optional<String> value) {
            apiKey = value;
            return this;
        }

        public Builder modelMap(Map<String, String> value) {
            modelMap = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder maxResponseBytes(int value) {
            maxResponseBytes = value;
            return this;
        }

        public OpenAiSettings build() {
            return new OpenAiSettings(baseUrl, apiKey, modelMap, connectTimeout, maxResponseBytes);
        }
    }
}
