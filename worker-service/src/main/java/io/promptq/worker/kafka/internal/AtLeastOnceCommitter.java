package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Writes outputs first, with an idempotent producer, and commits a partition's offset only once every output of
 * it was acknowledged: an outcome is never lost, but may be written twice (a crash between the two steps).
 * Outputs that failed stay pending for the next attempt; a record refused as too large is replaced by its job's
 * fallback output.
 *
 * <p>Offsets: every interval asynchronously, each position once (a position whose commit is in flight is not
 * asked again, a failed one is asked again next time); before partitions are given up synchronously, anything
 * past what is known to be committed - even a position whose asynchronous commit is still in flight, since that
 * one may yet fail. Commit callbacks run on the poll thread too (inside {@code poll} or {@code commitSync}).
 */
final class AtLeastOnceCommitter extends AbstractOutcomeCommitter {

    private final Consumer<?, ?> consumer;
    private final PollWaker waker;
    private final OffsetCommitCallback onAsyncCommitted = this::asyncCommitted;
    /** The state each partition's latest asynchronous commit was asked for (stale ones are harmless). */
    private final Map<TopicPartition, PartitionState> inFlight = new HashMap<>();

    private final int metadataMaxChars;

    AtLeastOnceCommitter(Consumer<?, ?> consumer, PollWaker waker, Supplier<? extends Producer<byte[], byte[]>> producers,
            Duration interval, Duration closeTimeout, LongSupplier monotonicMillis) {
        this(consumer, waker, producers, interval, closeTimeout, monotonicMillis, OffsetMetadataCodec.DEFAULT_MAX_CHARS,
                new LoopCounters(1));
    }

    /**
     * @param counters where failed commits are counted, by reason
     * @param metadataMaxChars longest commit metadata ({@link PartitionState#commitCandidate(int)}) */
    AtLeastOnceCommitter(Consumer<?, ?> consumer, PollWaker waker, Supplier<? extends Producer<byte[], byte[]>> producers,
            Duration interval, Duration closeTimeout, LongSupplier monotonicMillis, int metadataMaxChars,
            LoopCounters counters) {
        super(producers, interval, closeTimeout, monotonicMillis, FAILURE_BACKOFF, counters);
        this.consumer = consumer;
        this.waker = waker;
        this.metadataMaxChars = metadataMaxChars;
    }

    @Override
    void prepare(Producer<byte[], byte[]> fresh) {
        // an idempotent producer needs nothing before its first send
    }

    @Override
    boolean hasPending(PartitionState s, boolean finalCommit) {
        return !s.uncommittedOutputs().isEmpty() || candidate(s, finalCommit) != null;
    }

    private @Nullable OffsetAndMetadata candidate(PartitionState s, boolean finalCommit) {
        return finalCommit ? s.finalCommitCandidate(metadataMaxChars) : s.commitCandidate(metadataMaxChars);
    }

    @Override
    Result commit(Producer<byte[], byte[]> p, List<PartitionState> parts, boolean finalCommit) {
        Exception error;
        try {
            error = sendAll(p, parts, true);
        } catch (KafkaException | IllegalStateException e) {
            error = e;
        }
        if (error != null && SendFailures.fatal(error)) {
            discardProducer();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState s : parts) {
            OffsetAndMetadata position = candidate(s, finalCommit);
            if (position != null && s.uncommittedOutputs().isEmpty()) {
                offsets.put(s.topicPartition(), position);
            }
        }
        if (!offsets.isEmpty()) {
            if (finalCommit) {
                error = commitSync(parts, offsets, error);
            } else {
                offsets.forEach((tp, o) -> requested(parts, tp, o));
                consumer.commitAsync(offsets, onAsyncCommitted);
            }
        }
        if (error != null) {
            failed("Writing outputs or committing offsets", error, parts);
            return Result.FAILED;
        }
        return refusals > 0 ? Result.REFUSED : Result.COMMITTED;
    }

    private @Nullable Exception commitSync(List<PartitionState> parts, Map<TopicPartition, OffsetAndMetadata> offsets,
            @Nullable Exception error) {
        try {
            waker.blocking(() -> consumer.commitSync(offsets, closeTimeout));
        } catch (KafkaException e) {
            return error == null ? e : error;
        }
        for (PartitionState s : parts) {
            OffsetAndMetadata o = offsets.get(s.topicPartition());
            if (o != null) {
                s.commitSucceeded(o);
            }
        }
        return error;
    }

    private void requested(List<PartitionState> parts, TopicPartition tp, OffsetAndMetadata position) {
        for (PartitionState s : parts) {
            if (s.topicPartition().equals(tp)) {
                s.commitRequested(position);
                inFlight.put(tp, s);
                return;
            }
        }
    }

    private void asyncCommitted(@Nullable Map<TopicPartition, OffsetAndMetadata> committed,
            @Nullable Exception error) {
        if (committed == null) {
            // KIP-848's consumer calls back with null offsets when a commit fails: allow every position again.
            inFlight.values().forEach(PartitionState::commitFailed);
            failed("Asynchronous offset commit", error == null ? new KafkaException("failed") : error,
                    List.copyOf(inFlight.values()));
            return;
        }
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
            PartitionState s = inFlight.get(e.getKey());
            if (s == null) {
                continue;
            }
            if (error == null) {
                s.commitSucceeded(e.getValue());
            } else {
                s.commitFailed();
            }
        }
        if (error != null) {
            List<PartitionState> failedParts = new ArrayList<>(committed.size());
            for (TopicPartition tp : committed.keySet()) {
                PartitionState s = inFlight.get(tp);
                if (s != null) {
                    failedParts.add(s);
                }
            }
            failed("Asynchronous offset commit", error, failedParts);
        }
    }
}
