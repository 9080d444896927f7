package io.promptq.worker.status;

import io.promptq.worker.kafka.FlowListener;
import io.promptq.worker.kafka.PartitionView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The partitions assigned to the worker now, kept as the poll loop assigns and revokes them (O(1) on its thread), for
 * the status publisher to read from its own thread. Passes every event on to {@code next} (e.g. the flow metrics).
 */
public final class AssignedPartitions implements FlowListener {

    private static final Comparator<PartitionView> ORDER =
            Comparator.comparing(PartitionView::topic).thenComparingInt(PartitionView::partition);

    private final Set<PartitionView> partitions = ConcurrentHashMap.newKeySet();
    private final FlowListener next;

    public AssignedPartitions(FlowListener next) {
        this.next = next;
    }

    @Override
    public void assigned(PartitionView partition) {
        partitions.add(partition);
        next.assigned(partition);
    }

    @Override
    public void revoked(PartitionView partition) {
        partitions.remove(partition);
        next.revoked(partition);
    }

    @Override
    public void abandoned(int count) {
        next.abandoned(count);
    }

    /** The partitions assigned now, by topic and partition. */
    public List<PartitionView> snapshot() {
        List<PartitionView> copy = new ArrayList<>(partitions);
        copy.sort(ORDER);
        return copy;
    }
}
