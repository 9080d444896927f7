package io.promptq.client;

import java.util.Objects;

/**
 * A keyed job was refused because its tenant and idempotency key name a job accepted earlier, within the
 * idempotency window, with another payload (what the provider would see: model, messages, generation parameters;
 * see {@code io.promptq.topic.PayloadHash}). Nothing was written; the earlier job is unaffected. Submit a different
 * job under a new key. The HTTP API answers this with {@code 409 Conflict}. Not retriable.
 */
public class IdempotencyConflictException extends SubmitException {

    private static final long serialVersionUID = 1L;

    private final String tenant;
    private final String idempotencyKey;
    private final String jobId;

    public IdempotencyConflictException(String tenant, String idempotencyKey, String jobId) {
        super(Reason.CONFLICT, "idempotency key '" + idempotencyKey + "' of tenant '" + tenant + "' already names job "
                + jobId + " with another payload; use a new key for a different job", null);
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.idempotencyKey = Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        this.jobId = Objects.requireNonNull(jobId, "jobId");
    }

    public String tenant() {
        return tenant;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }

    /** The id of the earlier job the key names. */
    public String jobId() {
        return jobId;
    }
}
