package io.promptq.worker.cancel;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.testkit.MutableClock;
import io.promptq.worker.processing.CancelRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CancellationsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final MutableClock clock = new MutableClock(NOW);
    private final List<String> outcomes = new ArrayList<>();
    private final Cancellations cancellations = new Cancellations(3, Duration.ofHours(1), clock, outcomes::add);

    @Test
    void aRequestCountsOnlyForTheJobOfItsTenant() {
        cancellations.requested("job-1", request("tenant-b"));

        assertThat(cancellations.find("job-1", "tenant-a")).isNull();
        assertThat(outcomes).containsExactly(Cancellations.OTHER_TENANT);
        assertThat(cancellations.find("job-1", "tenant-b")).isNotNull();
        assertThat(cancellations.find("job-2", "tenant-b")).isNull();
    }

    @Test
    void anotherTenantsRequestForTheSameIdDoesNotReplaceTheOwnersRequest() {
        cancellations.requested("job-1", request("tenant-a"));
        cancellations.requested("job-1", request("tenant-b"));

        assertThat(cancellations.find("job-1", "tenant-a")).isNotNull();
        assertThat(cancellations.find("job-1", "tenant-b")).isNotNull();
        assertThat(cancellations.size()).isEqualTo(2);
    }

    @Test
    void requestsOlderThanTheRetentionAreForgotten() {
        cancellations.requested("job-1", request("tenant-a"));
        clock.advance(Duration.ofMinutes(61));

        assertThat(cancellations.find("job-1", "tenant-a")).isNull();
        cancellations.expire();
        assertThat(cancellations.size()).isZero();
        cancellations.requested("job-2", new CancelRequest("tenant-a", NOW, null));
        assertThat(cancellations.size()).as("already expired when read").isZero();
    }

    @Test
    void theOldestRequestIsForgottenBeyondTheBound() {
        for (int i = 1; i <= 4; i++) {
            cancellations.requested("job-" + i, request("tenant-a"));
        }

        assertThat(cancellations.find("job-1", "tenant-a")).isNull();
        assertThat(cancellations.find("job-4", "tenant-a")).isNotNull();
        assertThat(cancellations.size()).isEqualTo(3);
    }

    @Test
    void aTombstoneWithdrawsTheRequest() {
        cancellations.requested("job-1", request("tenant-a"));
        cancellations.withdrawn("job-1");

        assertThat(cancellations.find("job-1", "tenant-a")).isNull();
    }

    @Test
    void aRequestArrivingWhileTheJobRunsInterruptsItsThreadOnce() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        CancelRequest[] seen = new CancelRequest[1];
        Thread job = Thread.ofVirtual().start(() -> {
            Cancellations.Running run = cancellations.started("job-1", "tenant-a");
            started.countDown();
            try {
                Thread.sleep(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            seen[0] = run.finish();
        });
        started.await(5, TimeUnit.SECONDS);

        cancellations.requested("job-1", request("tenant-b"));
        Thread.sleep(100);
        assertThat(interrupted).as("another tenant's request").isFalse();
        cancellations.requested("job-1", request("tenant-a"));
        job.join(5_000);

        assertThat(interrupted).isTrue();
        assertThat(seen[0]).isNotNull();
        assertThat(seen[0].tenant()).isEqualTo("tenant-a");
    }

    @Test
    void aFinishedRunIsNotInterruptedAndItsInterruptIsCleared() {
        Cancellations.Running run = cancellations.started("job-1", "tenant-a");
        cancellations.requested("job-1", request("tenant-a"));
        assertThat(Thread.currentThread().isInterrupted()).isTrue();

        assertThat(run.finish()).isNotNull();
        assertThat(Thread.interrupted()).as("cleared by finish").isFalse();

        Cancellations.Running next = cancellations.started("job-2", "tenant-a");
        next.finish();
        cancellations.requested("job-2", request("tenant-a"));
        assertThat(Thread.interrupted()).isFalse();
    }

    private CancelRequest request(String tenant) {
        return new CancelRequest(tenant, clock.instant(), "test");
    }
}
