package io.promptq.aggregator.webhook.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets the dispatcher may commit: per partition, the records in flight in offset order; the committable
 * offset is the first unfinished one (or one past the last seen), so a result is never committed before its
 * delivery (or dead-lettering) finished, while later ones may finish first. Owned by the poll thread; delivery
 * threads only flip {@link Entry#finish()}. O(1) per record, amortized.
 */
public final class OffsetTracker {

    /** One tracked record; finished by whichever thread ends its delivery. */
    public static final class Entry {
        private final long offset;
        private volatile boolean finished;

        Entry(long offset) {
            this.offset = offset;
        }

        /** Marks the record's delivery as over (delivered or dead-lettered). */
        public void finish() {
            finished = true;
        }
    }

    private static final class Partition {
        private final ArrayDeque<Entry> inFlight = new ArrayDeque<>();
        private long next = -1;
        private long committed = -1;
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /** Tracks a record whose delivery starts now. */
    public Entry track(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        Entry entry = new Entry(offset);
        p.inFlight.addLast(entry);
        p.next = offset + 1;
        return entry;
    }

    /** A record with nothing to deliver: committable as soon as everything before it is. */
    public void skip(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        if (!p.inFlight.isEmpty()) {
            Entry done = new Entry(offset);
            done.finish();
            p.inFlight.addLast(done);
        }
        p.next = offset + 1;
    }

    /** The offsets to commit that moved since the last call (empty when none did). */
    public Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Partition> e : partitions.entrySet()) {
            Partition p = e.getValue();
            while (!p.inFlight.isEmpty() && p.inFlight.peekFirst().finished) {
                p.inFlight.pollFirst();
            }
            long offset = p.inFlight.isEmpty() ? p.next : p.inFlight.peekFirst().offset;
            if (offset > p.committed) {
                p.committed = offset;
                out.put(e.getKey(), new OffsetAndMetadata(offset));
            }
        }
        return out;
    }

    /** Whether any tracked record of any partition is still being delivered. */
    public boolean busy() {
        for (Partition p : partitions.values()) {
            for (Entry entry : p.inFlight) {
                if (!entry.finished) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Forgets revoked or lost partitions; their unfinished records are delivered again by the next owner. */
    public void forget(Collection<TopicPartition> revoked) {
        revoked.forEach(partitions::remove);
    }
}
