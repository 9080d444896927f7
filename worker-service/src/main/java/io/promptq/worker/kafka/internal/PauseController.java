package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.IntakeGate;
import io.promptq.worker.kafka.PauseReason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Decides each turn which partitions are fetched: asks every {@link PartitionState} why it should pause (permits
 * taken, worker cap, intake gate, uncommitted limit, retry records not due, shutdown), pauses and resumes only the
 * partitions whose answer changed, and publishes the number of paused partitions per reason.
 *
 * <p>Confined to the poll thread; reuses its lists, so a turn allocates nothing.
 */
final class PauseController {

    private final Consumer<?, ?> consumer;
    private final IntakeGate gate;
    private final LoopCounters counters;
    private final List<TopicPartition> toPause = new ArrayList<>();
    private final List<TopicPartition> toResume = new ArrayList<>();
    private final int[] pauseCounts = new int[PauseReason.values().length];

    PauseController(Consumer<?, ?> consumer, IntakeGate gate, LoopCounters counters) {
        this.consumer = consumer;
        this.gate = gate;
        this.counters = counters;
    }

    /**
     * Pauses and resumes {@code partitions} as their state asks.
     *
     * @param workerCapReached whether the worker-wide cap is taken
     * @param stopping whether the worker is stopping (the intake gate no longer matters: every partition is
     *     drained)
     * @param now epoch millis, for retry due times
     */
    void update(List<PartitionState> partitions, boolean workerCapReached, boolean stopping, long now) {
        PauseReason gateReason = stopping ? null : gate.blocked();
        boolean throttled = gateReason == null && gate.throttled();
        toPause.clear();
        toResume.clear();
        Arrays.fill(pauseCounts, 0);
        for (PartitionState s : partitions) {
            PauseReason reason = s.evaluate(gateReason, workerCapReached, throttled, now);
            PauseReason before = s.pauseReason();
            if (reason != null && before == null) {
                toPause.add(s.topicPartition());
            } else if (reason == null && before != null) {
                toResume.add(s.topicPartition());
            }
            s.pauseReason(reason);
            if (reason != null) {
                pauseCounts[reason.ordinal()]++;
            }
        }
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
        counters.pausedNow(pauseCounts);
    }
}
