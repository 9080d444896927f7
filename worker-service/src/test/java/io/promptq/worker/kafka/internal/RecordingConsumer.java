package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A {@link MockConsumer} for the poll loop's parts: records commits (sync and async apart), wakeups and pause
 * calls, and fails commits on demand.
 */
final class RecordingConsumer extends MockConsumer<byte[], byte[]> {

    /** The latest offset committed synchronously, per partition. */
    final Map<TopicPartition, Long> syncCommits = new ConcurrentHashMap<>();
    /** The latest offset asked to be committed asynchronously, per partition. */
    final Map<TopicPartition, Long> asyncCommits = new ConcurrentHashMap<>();
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
    /** Whether asynchronous commits stay in flight: their callbacks are not called. */
    volatile boolean asyncCommitsInFlight;

    RecordingConsumer() {
        super("earliest");
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
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        commitAsyncCalls.incrementAndGet();
        offsets.forEach((tp, o) -> asyncCommits.put(tp, o.offset()));
        if (!asyncCommitsInFlight) {
            callback.onComplete(offsets, asyncCommitError);
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
