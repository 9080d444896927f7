package io.promptq.worker.kafka.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The {@link PartitionState}s of the partitions the worker owns now, by partition and in assignment order (the
 * order the launcher rotates over). Confined to the poll thread.
 */
final class AssignedPartitions {

    private final Map<TopicPartition, PartitionState> byPartition = new HashMap<>();
    private final List<PartitionState> states = new ArrayList<>();
    private final List<PartitionState> view = Collections.unmodifiableList(states);

    /** The state of {@code tp}, or null if it is not assigned. */
    @Nullable PartitionState get(TopicPartition tp) {
        return byPartition.get(tp);
    }

    boolean contains(TopicPartition tp) {
        return byPartition.containsKey(tp);
    }

    /** Every assigned partition's state, in assignment order; a live, read-only view. */
    List<PartitionState> all() {
        return view;
    }

    void add(PartitionState state) {
        byPartition.put(state.topicPartition(), state);
        states.add(state);
    }

    void remove(PartitionState state) {
        byPartition.remove(state.topicPartition());
        states.remove(state);
    }

    void clear() {
        byPartition.clear();
        states.clear();
    }

    int size() {
        return states.size();
    }

    /** Jobs running on all assigned partitions (abandoned ones included until they end). */
    int runningJobs() {
        int n = 0;
        for (PartitionState s : states) {
            n += s.running();
        }
        return n;
    }

    /** Fetched records waiting in all partition buffers. */
    int buffered() {
        int n = 0;
        for (PartitionState s : states) {
            n += s.buffered();
        }
        return n;
    }

    /**
     * The earliest due time (epoch millis) of a buffered retry record not yet due, on a retry partition that could
     * start it; {@link Long#MAX_VALUE} if none.
     */
    long nextDueAt(long now) {
        long next = Long.MAX_VALUE;
        for (PartitionState s : states) {
            if (s.retryTier() && s.canStart()) {
                next = Math.min(next, s.nextDueAt(now));
            }
        }
        return next;
    }

    @Override
    public String toString() {
        return states.toString();
    }
}
