package io.promptq.llm;

import io.promptq.config.ConfigException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the OpenAI-compatible HTTP provider. {@link #toString()} never shows the API key.
 *
 * @param baseUrl API root including the version segment, e.g. {@code https://api.openai.com/v1} or
 *     {@code http://127.0.0.1:11434/v1} (Ollama); a trailing slash is dropped ({@link LlmConfig#OPENAI_BASE_URL})
 * @param apiKey bearer token, absent for servers that need none ({@link LlmConfig#OPENAI_API_KEY})
 * @param modelMap job model name to provider model name; unmapped names pass through ({@link LlmConfig#OPENAI_MODEL_MAP})
 * @param connectTimeout connect timeout of the HTTP client ({@link LlmConfig#OPENAI_CONNECT_TIMEOUT})
 */
public record OpenAiSettings(URI baseUrl, Optional<String> apiKey, Map<String, String> modelMap, Duration connectTimeout) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public OpenAiSettings {
        Objects.requireNonNull(baseUrl, LlmConfig.OPENAI_BASE_URL);
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
            throw ConfigException.invalid(LlmConfig.OPENAI_BASE_URL, baseUrl, "must be an http(s) URL such as http://127.0.0.1:11434/v1");
        }
        String text = baseUrl.toString();
        if (text.endsWith("/")) {
            baseUrl = URI.create(text.substring(0, text.length() - 1));
        }
        apiKey = Objects.requireNonNull(apiKey, LlmConfig.OPENAI_API_KEY).filter(k -> !k.isBlank());
        modelMap = Map.copyOf(Objects.requireNonNull(modelMap, LlmConfig.OPENAI_MODEL_MAP));
        Objects.requireNonNull(connectTimeout, LlmConfig.OPENAI_CONNECT_TIMEOUT);
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw ConfigException.invalid(LlmConfig.OPENAI_CONNECT_TIMEOUT, connectTimeout, "must be positive");
        }
    }

    /** api.openai.com, no key, no model map, 10 s connect timeout. */
    public static OpenAiSettings defaults() {
        return new OpenAiSettings(DEFAULT_BASE_URL, Optional.empty(), Map.of(), DEFAULT_CONNECT_TIMEOUT);
    }

    /** Settings for a server at {@code baseUrl}, optionally with a key; no model map, default connect timeout. */
    public static OpenAiSettings of(String baseUrl, String apiKey) {
        return new OpenAiSettings(URI.create(baseUrl), Optional.ofNullable(apiKey), Map.of(), DEFAULT_CONNECT_TIMEOUT);
    }

    public OpenAiSettings withModelMap(Map<String, String> value) {
        return new OpenAiSettings(baseUrl, apiKey, value, connectTimeout);
    }

    public OpenAiSettings withConnectTimeout(Duration value) {
        return new OpenAiSettings(baseUrl, apiKey, modelMap, value);
    }

    /** The provider's name for a job's model. */
    public String providerModel(String jobModel) {
        return modelMap.getOrDefault(jobModel, jobModel);
    }

    @Override
    public String toString() {
        return "OpenAiSettings[baseUrl=" + baseUrl + ", apiKey=" + (apiKey.isPresent() ? "<set>" : "<none>")
                + ", modelMap=" + modelMap + ", connectTimeout=" + connectTimeout + "]";
    }
}
