package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The registry of owned partitions: lookup, order, and the earliest retry due time. */
class AssignedPartitionsTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition R0 = new TopicPartition("jobs.retry.1", 0);
    private static final TopicPartition R1 = new TopicPartition("jobs.retry.1", 1);
    private static final long NOW = 1_000_000;

    private final AssignedPartitions partitions = new AssignedPartitions();

    private PartitionState add(TopicPartition tp, boolean retryTier, long... dueAts) {
        PartitionState s = new PartitionState(tp, retryTier, 1, 100, 1_000);
        for (int o = 0; o < dueAts.length; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), dueAts[o]);
        }
        partitions.add(s);
        return s;
    }

    @Test
    void removedPartitionIsGoneByKeyAndFromTheOrder() {
        PartitionState p0 = add(P0, false);
        PartitionState r0 = add(R0, true);

        partitions.remove(p0);

        assertThat(partitions.get(P0)).isNull();
        assertThat(partitions.contains(P0)).isFalse();
        assertThat(partitions.all()).containsExactly(r0);
        assertThat(partitions.size()).isEqualTo(1);
    }

    @Test
    void nextDueAtIsTheEarliestFutureDueTimeOnRetryPartitionsThatCouldStartIt() {
        add(P0, false, NOW + 10);
        add(R0, true, NOW + 5_000, NOW + 3_000);
        PartitionState r1 = add(R1, true, NOW + 1_000);

        assertThat(partitions.nextDueAt(NOW)).isEqualTo(NOW + 1_000);

        r1.drain(); // a partition being revoked starts nothing: its due times do not shorten the poll
        assertThat(partitions.nextDueAt(NOW)).isEqualTo(NOW + 3_000);
    }

    @Test
    void withoutRetryRecordsNothingIsDue() {
        add(P0, false, 0, 0);

        assertThat(partitions.nextDueAt(NOW)).isEqualTo(Long.MAX_VALUE);
    }
}
