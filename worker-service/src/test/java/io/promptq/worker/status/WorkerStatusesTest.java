package io.promptq.worker.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.schema.WorkerPartitionStatus;
import io.promptq.schema.WorkerStatus;
import io.promptq.worker.WorkerStats;
import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.PauseReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class WorkerStatusesTest {

    record Partition(String topic, int partition, int inFlight, int freePermits, int buffered,
            @Nullable PauseReason pauseReason) implements PartitionView {}

    private static final FlowStats FLOW = new FlowStats() {
        public int inFlight() { return 7; }
        public int freePermits() { return 13; }
        public int buffered() { return 4; }
        public int assignedPartitions() { return 2; }
        public int paused(PauseReason reason) { return 0; }
        public long abandoned() { return 0; }
        public long fetched() { return 100; }
        public long skippedFinished() { return 0; }
        public long rebalanceSince() { return 55; }
        public String publishFault() { return "topic not authorized"; }
        public long lastPollAt() { return 0; }
        public boolean running() { return true; }
        public Throwable failure() { return null; }
    };

    @Test
    void snapshotCarriesEachPartitionsFlowAndPauseReasonWithTheGuardsAndCounters() {
        WorkerStatuses.Identity identity = new WorkerStatuses.Identity("w-1", "group", "host-a", 1_000,
                Duration.ofSeconds(2));
        WorkerStats stats = new WorkerStats("w-1", 7, 4, 2, 1, 100, 60, 3, 2, 9, 0, 0, 55);

        WorkerStatus status = WorkerStatuses.snapshot(identity, 5_000, FLOW,
                List.of(new Partition("jobs", 0, 5, 0, 3, PauseReason.PERMITS), new Partition("jobs.retry.1", 1, 2, 8, 1, null)),
                stats, new WorkerStatuses.Guards(Map.of("gpt-b", "OPEN", "gpt-a", "CLOSED"), List.of("zeta", "alpha"), 12));

        assertThat(status.getWorkerId()).isEqualTo("w-1");
        assertThat(status.getGroupId()).isEqualTo("group");
        assertThat(status.getHost()).isEqualTo("host-a");
        assertThat(status.getStartedAt()).isEqualTo(Instant.ofEpochMilli(1_000));
        assertThat(status.getAt()).isEqualTo(Instant.ofEpochMilli(5_000));
        assertThat(status.getIntervalMs()).isEqualTo(2_000);
        assertThat(status.getPartitions()).containsExactly(
                new WorkerPartitionStatus("jobs", 0, 5, 0, 3, true, "PERMITS"),
                new WorkerPartitionStatus("jobs.retry.1", 1, 2, 8, 1, false, null));
        assertThat(status.getInFlight()).isEqualTo(7);
        assertThat(status.getFreePermits()).isEqualTo(13);
        assertThat(status.getBuffered()).isEqualTo(4);
        assertThat(status.getBreakers()).containsExactly(Map.entry("gpt-a", "CLOSED"), Map.entry("gpt-b", "OPEN"));
        assertThat(status.getModelsUnavailable()).containsExactly("alpha", "zeta");
        assertThat(status.getRateLimitWaits()).isEqualTo(12);
        assertThat(status.getRebalanceSince()).isEqualTo(55);
        assertThat(status.getPublishFault()).isEqualTo("topic not authorized");
        assertThat(status.getFetched()).isEqualTo(100);
        assertThat(status.getSucceeded()).isEqualTo(60);
        assertThat(status.getDeadLettered()).isEqualTo(3);
        assertThat(status.getExpired()).isEqualTo(2);
        assertThat(status.getRetriesScheduled()).isEqualTo(9);
    }

    @Test
    void assignedPartitionsFollowAssignmentsAndRevocationsInTopicPartitionOrderAndPassThemOn() {
        int[] passed = new int[2];
        AssignedPartitions assigned = new AssignedPartitions(new FlowListener() {
            @Override
            public void assigned(PartitionView partition) {
                passed[0]++;
            }

            @Override
            public void revoked(PartitionView partition) {
                passed[1]++;
            }
        });
        Partition b = new Partition("jobs", 1, 0, 10, 0, null);
        Partition a = new Partition("jobs", 0, 0, 10, 0, null);
        Partition retry = new Partition("jobs.retry.1", 0, 0, 10, 0, null);

        assigned.assigned(b);
        assigned.assigned(retry);
        assigned.assigned(a);
        assigned.revoked(retry);

        assertThat(assigned.snapshot()).containsExactly(a, b);
        assertThat(passed).containsExactly(3, 1);
    }
}
