package io.promptq.llm;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    /** Provider to use: {@code simulated} (default) or {@code openai} (any OpenAI-compatible server). */
    public static final String PROVIDER = "PROMPTQ_LLM_PROVIDER";

    /**
     * Simulated latency distribution: {@code fixed:200ms}, {@code uniform:100ms-500ms} (default) or
     * {@code lognormal:median=300ms,p99=2s}. See {@link LatencyDistribution}.
     */
    public static final String SIM_LATENCY = "PROMPTQ_LLM_SIM_LATENCY";

    /** Probability in [0,1] that a simulated call fails with a transient HTTP 503 (default 0). */
    public static final String SIM_TRANSIENT_RATE = "PROMPTQ_LLM_SIM_TRANSIENT_RATE";

    /** Probability in [0,1] that a simulated call is rejected with HTTP 429 and a Retry-After (default 0). */
    public static final String SIM_RATE_LIMITED_RATE = "PROMPTQ_LLM_SIM_RATE_LIMITED_RATE";

    /** The Retry-After a simulated 429 carries (default 1s). */
    public static final String SIM_RETRY_AFTER = "PROMPTQ_LLM_SIM_RETRY_AFTER";

    /** Probability in [0,1] that a simulated call hangs until the call's timeout and then times out (default 0). */
    public static final String SIM_TIMEOUT_RATE = "PROMPTQ_LLM_SIM_TIMEOUT_RATE";

    /** Probability in [0,1] that a simulated call fails permanently with HTTP 400 (default 0). */
    public static final String SIM_PERMANENT_RATE = "PROMPTQ_LLM_SIM_PERMANENT_RATE";

    /** Seed of the simulated provider's random draws; same seed, same outcomes in a single-threaded run (default 42). */
    public static final String SIM_SEED = "PROMPTQ_LLM_SIM_SEED";

    /**
     * Start the simulated provider in an outage: every call fails with HTTP 503 until switched off
     * programmatically with {@link SimulatedLlm#setOutage(boolean)} (default false).
     */
    public static final String SIM_OUTAGE = "PROMPTQ_LLM_SIM_OUTAGE";

    /** Base URL of the OpenAI-compatible API, up to and including the version segment (default https://api.openai.com/v1). */
    public static final String OPENAI_BASE_URL = "PROMPTQ_LLM_OPENAI_BASE_URL";

    /**
     * API key sent as {@code Authorization: Bearer <key>}. Optional: local servers such as Ollama or vLLM need
     * none. Never logged and never part of a {@code toString()} or an exception message.
     */
    public static final String OPENAI_API_KEY = "PROMPTQ_LLM_OPENAI_API_KEY";

    /**
     * Maps job model names to provider model names, e.g. {@code small=gpt-4o-mini,big=gpt-4o}; names not in the
     * map are sent unchanged (default: empty).
     */
    public static final String OPENAI_MODEL_MAP = "PROMPTQ_LLM_OPENAI_MODEL_MAP";

    /** TCP/TLS connect timeout of the OpenAI-compatible client (default 10s). */
    public static final String OPENAI_CONNECT_TIMEOUT = "PROMPTQ_LLM_OPENAI_CONNECT_TIMEOUT";

    public static final ProviderKind DEFAULT_PROVIDER = ProviderKind.SIMULATED;

    public LlmConfig {
        Objects.requireNonNull(provider, PROVIDER);
        Objects.requireNonNull(simulated, "simulated");
        Objects.requireNonNull(openAi, "openAi");
    }

    /** The defaults: the simulated provider with {@link SimulatedSettings#defaults()}. */
    public static LlmConfig defaults() {
        return new LlmConfig(DEFAULT_PROVIDER, SimulatedSettings.defaults(), OpenAiSettings.defaults());
    }

    /** Reads and validates every {@code PROMPTQ_LLM_*} provider key. */
    public static LlmConfig from(ConfigSource source) {
        ProviderKind provider = source.enumValue(PROVIDER, ProviderKind.class, DEFAULT_PROVIDER);
        return new LlmConfig(provider, simulatedFrom(source), openAiFrom(source));
    }

    private static SimulatedSettings simulatedFrom(ConfigSource source) {
        LatencyDistribution latency = SimulatedSettings.DEFAULT_LATENCY;
        String spec = source.optional(SIM_LATENCY).orElse(null);
        if (spec != null) {
            try {
                latency = LatencyDistribution.parse(spec);
            } catch (IllegalArgumentException e) {
                String detail = LatencyDistribution.EXPECTED_FORM.equals(e.getMessage())
                        ? e.getMessage() : e.getMessage() + "; " + LatencyDistribution.EXPECTED_FORM;
                throw ConfigException.invalid(SIM_LATENCY, spec, detail);
            }
        }
        return new SimulatedSettings(
                latency,
                source.decimal(SIM_TRANSIENT_RATE, 0, 0, 1),
                source.decimal(SIM_RATE_LIMITED_RATE, 0, 0, 1),
                source.duration(SIM_RETRY_AFTER, SimulatedSettings.DEFAULT_RETRY_AFTER, Duration.ZERO, Duration.ofHours(1)),
                source.decimal(SIM_TIMEOUT_RATE, 0, 0, 1),
                source.decimal(SIM_PERMANENT_RATE, 0, 0, 1),
                source.longValue(SIM_SEED, SimulatedSettings.DEFAULT_SEED, Long.MIN_VALUE, Long.MAX_VALUE),
                source.bool(SIM_OUTAGE, false));
    }

    private static OpenAiSettings openAiFrom(ConfigSource source) {
        String rawUrl = source.string(OPENAI_BASE_URL, OpenAiSettings.DEFAULT_BASE_URL.toString());
        URI baseUrl;
        try {
            baseUrl = URI.create(rawUrl);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(OPENAI_BASE_URL, rawUrl, "must be an http(s) URL such as http://127.0.0.1:11434/v1");
        }
        Map<String, String> modelMap = new LinkedHashMap<>();
        for (String entry : source.list(OPENAI_MODEL_MAP, List.of())) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw ConfigException.invalid(OPENAI_MODEL_MAP, source.string(OPENAI_MODEL_MAP, ""),
                        "each entry must be jobModel=providerModel, e.g. small=gpt-4o-mini,big=gpt-4o (bad entry '" + entry + "')");
            }
            modelMap.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return new OpenAiSettings(
                baseUrl,
                source.optional(OPENAI_API_KEY),
                modelMap,
                source.duration(OPENAI_CONNECT_TIMEOUT, OpenAiSettings.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(10)));
    }
}
