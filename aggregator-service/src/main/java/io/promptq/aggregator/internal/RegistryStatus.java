package io.promptq.aggregator.internal;

import io.promptq.http.HealthCheck;
import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import org.jspecify.annotations.Nullable;

/**
 * Whether the schema registry answers the aggregator's schema lookups, and which failures are the registry's
 * fault rather than the record's. A registry that cannot be reached ({@link RegistryUnreachableException}) or
 * refuses the request ({@link RegistryRefusedException}, e.g. 401 after a credential change) is a fault of the
 * system: the record is waited for, never skipped. An unknown schema id, a wrong magic byte or bytes that do not
 * decode are faults of the record. Exposed as the {@code schema-registry} readiness check.
 */
public final class RegistryStatus {

    private volatile @Nullable String lastFault;

    /** Whether {@code failure} or one of its causes says the registry itself is unavailable. */
    public static boolean isRegistryFault(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RegistryUnreachableException || t instanceof RegistryRefusedException) {
                return true;
            }
        }
        return false;
    }

    /** A lookup failed because of the registry. */
    void failed(Throwable failure) {
        lastFault = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    /** A record decoded: the registry (or its cache) answers. Cheap: one volatile read per record. */
    void succeeded() {
        if (lastFault != null) {
            lastFault = null;
        }
    }

    /** Down, naming the last registry failure, from a registry fault until the next record decodes. */
    public HealthCheck.Result health() {
        String fault = lastFault;
        return fault == null ? HealthCheck.Result.up("decoding") : HealthCheck.Result.down("schema registry unavailable: " + fault);
    }
}
