package io.promptq.aggregator.webhook.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    private static final TopicPartition P0 = new TopicPartition("results", 0);
    private static final TopicPartition P1 = new TopicPartition("results", 1);

    private final OffsetTracker tracker = new OffsetTracker();

    @Test
    void commitsOnlyUpToTheFirstUnfinishedDeliveryWhileLaterOnesFinishFirst() {
        OffsetTracker.Entry first = tracker.track(P0, 10);
        tracker.skip(P0, 11);
        OffsetTracker.Entry third = tracker.track(P0, 12);
        third.finish();

        assertThat(tracker.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(10)));
        assertThat(tracker.busy()).isTrue();

        first.finish();
        assertThat(tracker.committable()).containsExactly(Map.entry(P0, new OffsetAndMetadata(13)));
        assertThat(tracker.committable()).isEmpty();
        assertThat(tracker.busy()).isFalse();
    }

    @Test
    void recordsWithoutCallbackAreCommittableAtOnceWhenNothingIsInFlight() {
        tracker.skip(P1, 0);
        tracker.skip(P1, 1);

        assertThat(tracker.committable()).containsExactly(Map.entry(P1, new OffsetAndMetadata(2)));
    }

    @Test
    void forgottenPartitionsAreNotCommitted() {
        tracker.track(P0, 5).finish();
        tracker.forget(List.of(P0));

        assertThat(tracker.committable()).isEmpty();
    }
}
