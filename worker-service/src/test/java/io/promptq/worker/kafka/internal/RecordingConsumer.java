package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A {@link MockConsumer} for the poll loop's parts: records commits (sync and async apart, with their metadata),
 * wakeups and pause calls, and fails commits on demand. {@link #groupOffsets} stands for the group's committed
 * offsets on the broker: {@code committed} reads them (a {@link RecordingProducer} given the same map writes its
 * transactions' offsets there).
 */
final class RecordingConsumer extends MockConsumer<byte[], byte[]> {

    /** The latest offset committed synchronously, per partition. */
    final Map<TopicPartition, Long> syncCommits = new ConcurrentHashMap<>();
    /** The latest offset asked to be committed asynchronously, per partition. */
    final Map<TopicPartition, Long> asyncCommits = new ConcurrentHashMap<>();
    /** Every offset commit that succeeded (sync or async), in order, with its metadata. */
    final List<Map<TopicPartition, OffsetAndMetadata>> commitLog =
            new CopyOnWriteArrayList<>();
    /** The group's committed offsets: read by {@code committed}, written by successful commits. */
    final Map<TopicPartition, OffsetAndMetadata> groupOffsets;
    final AtomicInteger committedCalls = new AtomicInteger();
    final AtomicInteger commitSyncCalls = new AtomicInteger();
    final AtomicInteger commitAsyncCalls = new AtomicInteger();
    final AtomicInteger wakeups = new AtomicInteger();
    final AtomicInteger pauseCalls = new AtomicInteger();
    final AtomicInteger resumeCalls = new AtomicInteger();

    /** How many of the next synchronous commits throw {@link WakeupException} (a stray wakeup). */
    volatile int strayWakeupsOnCommitSync;
    /** Thrown by every synchronous commit, if set. */
    volatile KafkaException commitSyncFailure;
    /** Given to the callback of every asynchronous commit, if set (the commit fails). */
    volatile Exception asyncCommitError;
    /** Whether a failed asynchronous commit calls back with null offsets, as the KIP-848 consumer does. */
    volatile boolean nullOffsetsOnAsyncFailure;
    /** Whether asynchronous commits stay in flight: their callbacks are not called. */
    volatile boolean asyncCommitsInFlight;
    /** Thrown by every {@code committed} call, if set. */
    volatile KafkaException committedFailure;
    /** Runs after every successful offset commit (e.g. to see what was visible then). */
    volatile Runnable afterCommit = () -> { };
    /** Runs inside every {@code committed} call (e.g. a job finishing meanwhile). */
    volatile Runnable duringCommitted = () -> { };

    RecordingConsumer() {
        this(new ConcurrentHashMap<>());
    }

    /** @param groupOffsets the group's committed offsets, shared with whoever else commits for the group */
    RecordingConsumer(Map<TopicPartition, OffsetAndMetadata> groupOffsets) {
        super("earliest");
        this.groupOffsets = groupOffsets;
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions, Duration timeout) {
        committedCalls.incrementAndGet();
        duringCommitted.run();
        if (committedFailure != null) {
            throw committedFailure;
        }
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = groupOffsets.get(tp);
            if (o != null) {
                result.put(tp, o);
            }
        }
        return result;
    }

    private void succeeded(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commitLog.add(Map.copyOf(offsets));
        groupOffsets.putAll(offsets);
        afterCommit.run();
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        commitSyncCalls.incrementAndGet();
        if (strayWakeupsOnCommitSync > 0) {
            strayWakeupsOnCommitSync--;
            throw new WakeupException();
        }
        if (commitSyncFailure != null) {
            throw commitSyncFailure;
        }
        offsets.forEach((tp, o) -> syncCommits.put(tp, o.offset()));
        succeeded(offsets);
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        commitAsyncCalls.incrementAndGet();
        offsets.forEach((tp, o) -> asyncCommits.put(tp, o.offset()));
        if (!asyncCommitsInFlight) {
            if (asyncCommitError == null) {
                succeeded(offsets);
            }
            callback.onComplete(asyncCommitError != null && nullOffsetsOnAsyncFailure ? null : offsets,
                    asyncCommitError);
        }
    }

    @Override
    public synchronized void wakeup() {
        wakeups.incrementAndGet();
        super.wakeup();
    }

    @Override
    public synchronized void pause(Collection<TopicPartition> partitions) {
        pauseCalls.incrementAndGet();
        super.pause(partitions);
    }

    @Override
    public synchronized void resume(Collection<TopicPartition> partitions) {
        resumeCalls.incrementAndGet();
        super.resume(partitions);
    }
}
