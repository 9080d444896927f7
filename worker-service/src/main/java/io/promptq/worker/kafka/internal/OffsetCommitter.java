package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits finished offsets, per partition up to the lowest unfinished one, in two explicit ways:
 * <ul>
 *   <li>{@link #commitAsyncIfDue}: every commit interval, asynchronously, each position once (a position whose
 *       commit is in flight is not asked again; a failed one is asked again at the next interval);</li>
 *   <li>{@link #commitFinal}: before a partition is given up (revocation, shutdown), synchronously, anything past
 *       what is known to be committed - even a position whose asynchronous commit is still in flight, since that one
 *       may yet fail.</li>
 * </ul>
 * Abandoned partitions are never committed: their offsets belong to the new owner. Failures are logged, not
 * thrown: an uncommitted offset only means the record may be processed again.
 *
 * <p>Confined to the poll thread (commit callbacks run there too, inside {@code poll} or {@code commitSync}). The
 * commit interval runs on a monotonic clock.
 */
final class OffsetCommitter {

    private static final Logger log = LoggerFactory.getLogger(OffsetCommitter.class);

    private final Consumer<?, ?> consumer;
    private final PollWaker waker;
    private final AssignedPartitions partitions;
    private final long intervalMillis;
    private final Duration syncTimeout;
    private final LongSupplier monotonicMillis;
    private final OffsetCommitCallback onAsyncCommitted = this::asyncCommitted;
    private long nextCommitAt;

    /**
     * @param interval how often {@link #commitAsyncIfDue} commits
     * @param syncTimeout how long one synchronous commit may take
     * @param monotonicMillis a monotonic clock in millis ({@code System.nanoTime() / 1e6})
     */
    OffsetCommitter(Consumer<?, ?> consumer, PollWaker waker, AssignedPartitions partitions, Duration interval,
            Duration syncTimeout, LongSupplier monotonicMillis) {
        this.consumer = consumer;
        this.waker = waker;
        this.partitions = partitions;
        this.intervalMillis = interval.toMillis();
        this.syncTimeout = syncTimeout;
        this.monotonicMillis = monotonicMillis;
        this.nextCommitAt = monotonicMillis.getAsLong() + intervalMillis;
    }

    /** Millis until the next asynchronous commit is due (negative if overdue): a poll should not block longer. */
    long millisUntilDue() {
        return nextCommitAt - monotonicMillis.getAsLong();
    }

    /** Once the commit interval has passed: commits the new positions of {@code of} asynchronously. */
    void commitAsyncIfDue(Collection<PartitionState> of) {
        long now = monotonicMillis.getAsLong();
        if (now < nextCommitAt) {
            return;
        }
        nextCommitAt = now + intervalMillis;
        Map<TopicPartition, OffsetAndMetadata> offsets = asyncCandidates(of);
        if (offsets.isEmpty()) {
            return;
        }
        offsets.forEach((tp, o) -> partitions.get(tp).commitRequested(o.offset()));
        consumer.commitAsync(offsets, onAsyncCommitted);
    }

    /**
     * Commits {@code of} synchronously before they are given up; retries a stray wakeup (see {@link PollWaker}),
     * logs other failures.
     *
     * @param why for the log: "revocation", "shutdown"
     */
    void commitFinal(Collection<PartitionState> of, String why) {
        Map<TopicPartition, OffsetAndMetadata> offsets = finalCandidates(of);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            waker.blocking(() -> consumer.commitSync(offsets, syncTimeout));
        } catch (KafkaException e) {
            log.warn("Commit of {} ({}) failed; these jobs may be processed again: {}", offsets, why, e.toString());
            return;
        }
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            PartitionState s = partitions.get(e.getKey());
            if (s != null) {
                s.commitSucceeded(e.getValue().offset());
            }
        }
        log.debug("Committed {} ({})", offsets, why);
    }

    /** Positions that moved past what was committed or requested: what an asynchronous commit should write. */
    static Map<TopicPartition, OffsetAndMetadata> asyncCandidates(Collection<PartitionState> of) {
        return candidates(of, PartitionState::commitCandidate);
    }

    /** Positions past what is known to be committed: what a final, synchronous commit must write. */
    static Map<TopicPartition, OffsetAndMetadata> finalCandidates(Collection<PartitionState> of) {
        return candidates(of, PartitionState::finalCommitCandidate);
    }

    private static Map<TopicPartition, OffsetAndMetadata> candidates(Collection<PartitionState> of,
            ToLongFunction<PartitionState> candidate) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState s : of) {
            if (s.abandoned()) {
                continue;
            }
            long position = candidate.applyAsLong(s);
            if (position >= 0) {
                offsets.put(s.topicPartition(), new OffsetAndMetadata(position));
            }
        }
        return offsets;
    }

    private void asyncCommitted(Map<TopicPartition, OffsetAndMetadata> committed, @Nullable Exception error) {
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            PartitionState s = partitions.get(e.getKey());
            if (s == null) {
                continue;
            }
            if (error == null) {
                s.commitSucceeded(e.getValue().offset());
            } else {
                s.commitFailed();
            }
        }
        if (error != null) {
            log.debug("Asynchronous commit of {} failed (retried at the next interval): {}", committed.keySet(),
                    error.toString());
        }
    }
}
