package io.promptq.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.http.HealthCheck;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedHealthCheckTest {

    @Test
    void answersFromTheCacheWithinTheTtl() {
        AtomicInteger calls = new AtomicInteger();
        CachedHealthCheck check = new CachedHealthCheck(() -> HealthCheck.Result.up("call " + calls.incrementAndGet()),
                Duration.ofHours(1));

        check.check();
        HealthCheck.Result second = check.check();

        assertThat(calls).hasValue(1);
        assertThat(second.detail()).isEqualTo("call 1");
    }

    @Test
    void checksAgainOnceExpired() {
        AtomicInteger calls = new AtomicInteger();
        CachedHealthCheck check = new CachedHealthCheck(() -> HealthCheck.Result.up("call " + calls.incrementAndGet()),
                Duration.ZERO);

        check.check();
        check.check();

        assertThat(calls).hasValue(2);
    }

    @Test
    void aThrowingCheckReportsDownInsteadOfFailing() {
        CachedHealthCheck check = new CachedHealthCheck(() -> {
            throw new IllegalStateException("boom");
        }, Duration.ofHours(1));

        assertThat(check.check().up()).isFalse();
        assertThat(check.check().detail()).contains("boom");
    }
}
