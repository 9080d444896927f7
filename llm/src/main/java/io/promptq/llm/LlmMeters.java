package io.promptq.llm;

/**
 * Names of the meters {@link ResilientLlm} registers, in one place. Resilience4j's own meters come on top,
 * under its default names ({@code resilience4j.circuitbreaker.*}, {@code resilience4j.ratelimiter.*}), tagged
 * {@code name=<provider>:<model>} for breakers and {@code name=<provider>:<model>:rps|tpm} for rate limiters.
 */
public final class LlmMeters {

    /** Timer of provider calls (waits excluded), with a percentile histogram. Tags: provider, model, outcome. */
    public static final String CALL = "promptq.llm.call";

    /** Counter of calls that had to wait for a rate limiter. Tags: provider, model, limit ({@code rps} or {@code tpm}). */
    public static final String RATE_LIMIT_WAITS = "promptq.llm.ratelimit.waits";

    /**
     * Counter of calls refused without reaching the provider because the breaker was open (or half-open with every
     * trial taken): the worker parks such jobs. Tags: provider, model.
     */
    public static final String BREAKER_WAITS = "promptq.llm.breaker.waits";

    /**
     * Gauge of models paused because the provider answered 401/403/404 for them (credentials, base URL or model
     * mapping). Tags: provider.
     */
    public static final String MODELS_UNAVAILABLE = "promptq.llm.models.unavailable";

    public static final String TAG_PROVIDER = "provider";
    public static final String TAG_MODEL = "model";
    /** {@code success} or the lower-case {@link ErrorClass} name, e.g. {@code server_error}. */
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_LIMIT = "limit";

    public static final String OUTCOME_SUCCESS = "success";
    public static final String LIMIT_RPS = "rps";
    public static final String LIMIT_TPM = "tpm";

    private LlmMeters() {}
}
