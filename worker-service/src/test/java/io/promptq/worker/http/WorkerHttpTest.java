package io.promptq.worker.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.http.HealthCheck;
import io.promptq.testkit.MutableClock;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PauseReason;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The worker's own readiness checks. */
class WorkerHttpTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final Stats stats = new Stats();
    private final HealthCheck group = WorkerHttp.groupCheck(stats, Duration.ofSeconds(60), clock);

    @Test
    void groupIsReadyWithoutARebalance() {
        assertThat(group.check().up()).isTrue();
    }

    @Test
    void groupStaysReadyDuringAShortRebalanceAndSaysSince() {
        stats.rebalanceSince = clock.millis();
        clock.advance(Duration.ofSeconds(59));

        HealthCheck.Result r = group.check();

        assertThat(r.up()).isTrue();
        assertThat(r.detail()).contains("rebalance in progress since 2026-12-01T10:00:00Z");
    }

    @Test
    void groupIsDownOnceARebalanceLastsLongerThanTheThreshold() {
        stats.rebalanceSince = clock.millis();
        clock.advance(Duration.ofSeconds(61));

        HealthCheck.Result r = group.check();

        assertThat(r.up()).isFalse();
        assertThat(r.detail()).contains("stuck rebalance in progress since 2026-12-01T10:00:00Z (61 s)");
    }

    /** Flow stats with only the rebalance start set. */
    private static final class Stats implements FlowStats {
        volatile long rebalanceSince;

        @Override
        public long rebalanceSince() {
            return rebalanceSince;
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public int freePermits() {
            return 0;
        }

        @Override
        public int buffered() {
            return 0;
        }

        @Override
        public int assignedPartitions() {
            return 0;
        }

        @Override
        public int paused(PauseReason reason) {
            return 0;
        }

        @Override
        public long abandoned() {
            return 0;
        }

        @Override
        public long fetched() {
            return 0;
        }

        @Override
        public long skippedFinished() {
            return 0;
        }

        @Override
        public long lastPollAt() {
            return 0;
        }

        @Override
        public boolean running() {
            return true;
        }

        @Override
        public @Nullable Throwable failure() {
            return null;
        }
    }
}
