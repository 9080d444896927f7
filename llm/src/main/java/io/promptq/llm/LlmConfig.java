package io.promptq.llm;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Which language-model provider a service talks to and how it is set up. Built once at start-up from the
 * environment with {@link #from(ConfigSource)}; a bad value stops the start-up with a
 * {@link ConfigException} naming the key. Resilience settings (timeouts, breaker, rate limits) live apart
 * in {@link ResilienceConfig} because they apply to every provider.
 *
 * @param provider the provider kind selected by {@link #PROVIDER}
 * @param simulated settings of the in-process simulated provider (parsed even when not selected, so a typo
 *     fails fast)
 * @param openAi settings of the OpenAI-compatible HTTP provider
 */
public record LlmConfig(ProviderKind provider, SimulatedSettings simulated, OpenAiSettings openAi) {

    /** Provider kinds. */
    public enum ProviderKind {
        /** In-process, deterministic fake with configurable latency and failure rates: load tests, demos, CI. */
        SIMULATED,
        /** Any server speaking OpenAI's {@code POST /chat/completions}: OpenAI, Ollama, vLLM, LM Studio... */
        OPENAI
    }

    private static final String HTTP_URL_EXPECTED = "must be an http(s) URL such as http://127.0.0.1:11434/v1";

    /** Provider to use: {@code simulated} (default) or {@code openai} (any OpenAI-compatible server). */
    public static final ConfigKey<ProviderKind> PROVIDER =
            ConfigKey.enumeration("PROMPTQ_LLM_PROVIDER", ProviderKind.class, ProviderKind.SIMULATED);

    /**
     * Simulated latency distribution: {@code fixed:200ms}, {@code uniform:100ms-500ms} (default) or
     * {@code lognormal:median=300ms,p99=2s}. See {@link LatencyDistribution}.
     */
    public static final ConfigKey<LatencyDistribution> SIM_LATENCY =
            ConfigKey.of("PROMPTQ_LLM_SIM_LATENCY", LlmConfig::latency, LatencyDistribution::spec)
                    .withDefault(SimulatedSettings.DEFAULT_LATENCY);

    /** Probability in [0,1] that a simulated call fails with a transient HTTP 503 (default 0). */
    public static final ConfigKey<Double> SIM_TRANSIENT_RATE = ConfigKey.decimal("PROMPTQ_LLM_SIM_TRANSIENT_RATE", 0, 0, 1);

    /** Probability in [0,1] that a simulated call is rejected with HTTP 429 and a Retry-After (default 0). */
    public static final ConfigKey<Double> SIM_RATE_LIMITED_RATE = ConfigKey.decimal("PROMPTQ_LLM_SIM_RATE_LIMITED_RATE", 0, 0, 1);

    /** The Retry-After a simulated 429 carries (default 1s). */
    public static final ConfigKey<Duration> SIM_RETRY_AFTER = ConfigKey.duration("PROMPTQ_LLM_SIM_RETRY_AFTER",
            SimulatedSettings.DEFAULT_RETRY_AFTER, Duration.ZERO, Duration.ofHours(1));

    /** Probability in [0,1] that a simulated call hangs until the call's timeout and then times out (default 0). */
    public static final ConfigKey<Double> SIM_TIMEOUT_RATE = ConfigKey.decimal("PROMPTQ_LLM_SIM_TIMEOUT_RATE", 0, 0, 1);

    /** Probability in [0,1] that a simulated call fails permanently with HTTP 400 (default 0). */
    public static final ConfigKey<Double> SIM_PERMANENT_RATE = ConfigKey.decimal("PROMPTQ_LLM_SIM_PERMANENT_RATE", 0, 0, 1);

    /** Seed of the simulated provider's random draws; same seed, same outcomes in a single-threaded run (default 42). */
    public static final ConfigKey<Long> SIM_SEED =
            ConfigKey.longInteger("PROMPTQ_LLM_SIM_SEED", SimulatedSettings.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE);

    /**
     * Start the simulated provider in an outage: every call fails with HTTP 503 until switched off
     * programmatically with {@link SimulatedLlm#setOutage(boolean)} (default false).
     */
    public static final ConfigKey<Boolean> SIM_OUTAGE = ConfigKey.bool("PROMPTQ_LLM_SIM_OUTAGE", false);

    /** Base URL of the OpenAI-compatible API, up to and including the version segment (default https://api.openai.com/v1). */
    public static final ConfigKey<URI> OPENAI_BASE_URL =
            ConfigKey.of("PROMPTQ_LLM_OPENAI_BASE_URL", LlmConfig::httpUrl, URI::toString)
                    .and(LlmConfig::isHttpUrl, HTTP_URL_EXPECTED)
                    .withDefault(OpenAiSettings.DEFAULT_BASE_URL);

    /**
     * API key sent as {@code Authorization: Bearer <key>}. Optional: local servers such as Ollama or vLLM need
     * none. Never logged and never part of a {@code toString()} or an exception message.
     */
    public static final ConfigKey<String> OPENAI_API_KEY = ConfigKey.text("PROMPTQ_LLM_OPENAI_API_KEY").secret();

    /**
     * Maps job model names to provider model names, e.g. {@code small=gpt-4o-mini,big=gpt-4o}; names not in the
     * map are sent unchanged (default: empty).
     */
    public static final ConfigKey<Map<String, String>> OPENAI_MODEL_MAP =
            ConfigKey.of("PROMPTQ_LLM_OPENAI_MODEL_MAP", LlmConfig::modelMap, LlmConfig::formatModelMap)
                    .withDefault(Map.of());

    /** TCP/TLS connect timeout of the OpenAI-compatible client (default 10s). */
    public static final ConfigKey<Duration> OPENAI_CONNECT_TIMEOUT = ConfigKey.duration("PROMPTQ_LLM_OPENAI_CONNECT_TIMEOUT",
            OpenAiSettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(10));

    /**
     * Largest provider response body read, in bytes (default 8 MiB): read bounded while it streams in, never
     * buffered whole; a larger one fails the call as {@link ErrorClass#RESPONSE_TOO_LARGE} (not retried).
     */
    public static final ConfigKey<Integer> MAX_RESPONSE_BYTES = ConfigKey.integer("PROMPTQ_LLM_MAX_RESPONSE_BYTES",
            OpenAiSettings.DEFAULT_MAX_RESPONSE_BYTES, 1024, 1 << 30);

    public static final ProviderKind DEFAULT_PROVIDER = PROVIDER.defaultValue().orElseThrow();

    public LlmConfig {
        PROVIDER.check(provider);
        Objects.requireNonNull(simulated, "simulated");
        Objects.requireNonNull(openAi, "openAi");
    }

    /** The defaults: the simulated provider with {@link SimulatedSettings#defaults()}. */
    public static LlmConfig defaults() {
        return new LlmConfig(DEFAULT_PROVIDER, SimulatedSettings.defaults(), OpenAiSettings.defaults());
    }

    /** Reads and validates every {@code PROMPTQ_LLM_*} provider key. */
    public static LlmConfig from(ConfigSource source) {
        SimulatedSettings simulated = new SimulatedSettings(
                SIM_LATENCY.read(source),
                SIM_TRANSIENT_RATE.read(source),
                SIM_RATE_LIMITED_RATE.read(source),
                SIM_RETRY_AFTER.read(source),
                SIM_TIMEOUT_RATE.read(source),
                SIM_PERMANENT_RATE.read(source),
                SIM_SEED.read(source),
                SIM_OUTAGE.read(source));
        OpenAiSettings openAi = new OpenAiSettings(
                OPENAI_BASE_URL.read(source),
                OPENAI_API_KEY.readOptional(source),
                OPENAI_MODEL_MAP.read(source),
                OPENAI_CONNECT_TIMEOUT.read(source),
                MAX_RESPONSE_BYTES.read(source));
        return new LlmConfig(PROVIDER.read(source), simulated, openAi);
    }

    private static LatencyDistribution latency(String spec) {
        try {
            return LatencyDistribution.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(LatencyDistribution.EXPECTED_FORM.equals(e.getMessage())
                    ? e.getMessage() : e.getMessage() + "; " + LatencyDistribution.EXPECTED_FORM, e);
        }
    }

    private static URI httpUrl(String text) {
        try {
            return URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(HTTP_URL_EXPECTED, e);
        }
    }

    private static boolean isHttpUrl(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null;
    }

    private static Map<String, String> modelMap(String text) {
        Map<String, String> modelMap = new LinkedHashMap<>();
        for (String entry : text.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String item = entry.trim();
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("each entry must be jobModel=providerModel, e.g. "
                        + "small=gpt-4o-mini,big=gpt-4o (bad entry '" + item + "')");
            }
            modelMap.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
        }
        return modelMap;
    }

    private static String formatModelMap(Map<String, String> modelMap) {
        StringJoiner joined = new StringJoiner(",");
        modelMap.forEach((job, provider) -> joined.add(job + "=" + provider));
        return joined.toString();
    }
}
