package io.promptq.worker.processing;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A tenant's request to cancel a job, as the worker holds it (from a {@code JobCancellation} record).
 *
 * @param tenant the tenant that asked; only a job of the same tenant is cancelled
 * @param requestedAt when the request was made
 * @param reason the caller's reason, if given
 */
public record CancelRequest(String tenant, Instant requestedAt, @Nullable String reason) {

    public CancelRequest {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }
}
