package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/** The wakeup protocol: wakeups reach the consumer only while it polls, and stray ones never break a call. */
class PollWakerTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final AtomicBoolean workPending = new AtomicBoolean();
    private final PollWaker waker = new PollWaker(consumer, workPending::get);

    PollWakerTest() {
        consumer.assign(List.of(P0));
        consumer.updateBeginningOffsets(Map.of(P0, 0L));
    }

    @Test
    void wakeReachesTheConsumerOnlyWhileArmedForPoll() {
        waker.wake();
        assertThat(consumer.wakeups).hasValue(0);
        assertThat(consumer.poll(Duration.ZERO)).isEmpty();

        waker.armForPoll();
        waker.wake();

        assertThat(consumer.wakeups).hasValue(1);
        assertThatThrownBy(() -> consumer.poll(Duration.ZERO)).isInstanceOf(WakeupException.class);
    }

    @Test
    void wakesTheConsumerAtMostOncePerArming() {
        waker.armForPoll();
        waker.wake();
        waker.wake();
        waker.wake();
        assertThat(consumer.wakeups).hasValue(1);

        waker.disarmAfterPoll();
        waker.wake();
        assertThat(consumer.wakeups).hasValue(1);

        waker.armForPoll();
        waker.wake();
        assertThat(consumer.wakeups).hasValue(2);
    }

    @Test
    void armingReportsWorkThatArrivedBeforeIt() {
        assertThat(waker.armForPoll()).isFalse();
        waker.disarmAfterPoll();

        workPending.set(true);

        assertThat(waker.armForPoll()).isTrue();
    }

    @Test
    void callbackInsidePollIsNotWokenAndWakesThePollAfterwardsForWorkThatArrived() {
        waker.armForPoll();
        waker.enterCallback();
        waker.wake(); // a job finishing while the callback commits
        assertThat(consumer.wakeups).hasValue(0);

        workPending.set(true);
        waker.exitCallback();

        assertThat(consumer.wakeups).hasValue(1);
    }

    @Test
    void callbackInsidePollWithNothingPendingArmsAgainWithoutWaking() {
        waker.armForPoll();
        waker.enterCallback();
        waker.exitCallback();

        assertThat(consumer.wakeups).hasValue(0);
        assertThat(waker.armed()).isTrue();
    }

    @Test
    void callbackOutsidePollNeverArms() {
        waker.armForPoll();
        waker.disarmAfterPoll();
        workPending.set(true);

        waker.enterCallback(); // e.g. revocation inside close()
        waker.exitCallback();

        assertThat(waker.armed()).isFalse();
        assertThat(consumer.wakeups).hasValue(0);
    }

    @Test
    void commitSyncHitByAStrayWakeupIsRetriedAndCommits() {
        consumer.strayWakeupsOnCommitSync = 1;
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of(P0, new OffsetAndMetadata(7));

        waker.blocking(() -> consumer.commitSync(offsets, Duration.ofSeconds(1)));

        assertThat(consumer.syncCommits).containsEntry(P0, 7L);
        assertThat(consumer.commitSyncCalls).hasValue(2);
    }

    @Test
    void anyBlockingCallHitByAStrayWakeupIsRetried() {
        AtomicInteger calls = new AtomicInteger();

        long position = waker.blocking(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new WakeupException(); // e.g. position() or committed()
            }
            return 42L;
        });

        assertThat(position).isEqualTo(42L);
        assertThat(calls).hasValue(2);
    }

    @Test
    void blockingCallFailsInsteadOfSpinningWhenWakeupsKeepComing() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> waker.blocking(() -> {
            calls.incrementAndGet();
            throw new WakeupException();
        })).isInstanceOf(WakeupException.class);

        assertThat(calls).hasValue(PollWaker.MAX_ATTEMPTS);
    }
}
