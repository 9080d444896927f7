package io.promptq.client;

/**
 * Names of the client library's own meters, bound with {@link PromptqClient#metrics()}. In Prometheus:
 * {@code promptq_client_idempotency_duplicates_total}, {@code promptq_client_idempotency_conflicts_total},
 * {@code promptq_client_idempotency_keys} and {@code promptq_client_states_not_written_total}.
 */
public final class ClientMetrics {

    /** Counter: keyed submissions answered with an earlier copy of the same job instead of being written. */
    public static final String IDEMPOTENCY_DUPLICATES = "promptq.client.idempotency.duplicates";
    /** Counter: keyed submissions refused because the key names a job with another payload. */
    public static final String IDEMPOTENCY_CONFLICTS = "promptq.client.idempotency.conflicts";
    /** Gauge: keyed jobs the client's idempotency index holds (accepted here or read from the ledger). */
    public static final String IDEMPOTENCY_KEYS = "promptq.client.idempotency.keys";

    /**
     * Counter: QUEUED state changes of accepted jobs that were not written to the status topic (write failed, or
     * the topic is not available); the jobs themselves are accepted.
     */
    public static final String STATES_NOT_WRITTEN = "promptq.client.states.not.written";

    private ClientMetrics() {}
}
