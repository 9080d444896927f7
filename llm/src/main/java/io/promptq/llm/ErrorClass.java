package io.promptq.llm;

/** Why a provider call failed, decided once at the provider boundary. */
public enum ErrorClass {
    /** HTTP 5xx or an equivalent server-side fault. */
    SERVER_ERROR(true),
    /** HTTP 429: the provider asked us to slow down (often with Retry-After). */
    RATE_LIMITED(true),
    /** The call did not finish within its timeout. */
    TIMEOUT(true),
    /** Connection refused/reset, DNS or TLS failure. */
    CONNECTION(true),
    /** The provider answered 2xx with a body we could not understand. */
    MALFORMED_RESPONSE(true),
    /**
     * The provider's answer is larger than {@code PROMPTQ_LLM_MAX_RESPONSE_BYTES}: not read further (one huge
     * answer must not exhaust the worker's memory) and not asked again, since the same request would likely get
     * the same answer.
     */
    RESPONSE_TOO_LARGE(false),
    /** HTTP 400/404/422 or an otherwise invalid request (including context too long); 404 is a fault of the system. */
    INVALID_REQUEST(false),
    /** HTTP 401/403: bad or missing credentials; a fault of the system (see {@link ProviderException#configurationFault()}). */
    AUTHENTICATION(false),
    /** The job itself is unusable (e.g. no messages). */
    INVALID_JOB(false);

    private final boolean retryable;

    ErrorClass(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether a later attempt may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
