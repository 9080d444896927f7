package io.promptq.producer.internal;

import io.promptq.http.HealthCheck;
import java.time.Duration;
import java.util.Objects;

/**
 * A readiness check that runs its delegate at most once per {@code ttl} and answers from the cache in
 * between, so frequent probes cost nothing and never pile up on a slow broker. Never throws.
 */
public final class CachedHealthCheck implements HealthCheck {

    private final HealthCheck delegate;
    private final long ttlNanos;
    private Result cached;
    private long checkedAt;

    public CachedHealthCheck(HealthCheck delegate, Duration ttl) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public synchronized Result check() {
        long now = System.nanoTime();
        if (cached == null || now - checkedAt >= ttlNanos) {
            try {
                cached = delegate.check();
            } catch (RuntimeException e) {
                cached = Result.down(e.toString());
            }
            checkedAt = System.nanoTime();
        }
        return cached;
    }
}
