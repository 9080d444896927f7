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
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Writes outputs and offsets in one Kafka transaction: {@code beginTransaction}, every pending output,
 * {@code sendOffsetsToTransaction} with the consumer's group metadata, {@code commitTransaction}. Readers with
 * {@code read_committed} see a job's outcome exactly when its record counts as consumed; a crash or a failed
 * commit leaves nothing visible, so the redelivered record starts clean. The transaction is open only while a
 * commit runs on the poll thread.
 *
 * <p>Fencing (KIP-447): the group metadata carries the consumer's generation, so a worker that lost its partitions
 * in a rebalance (a zombie) gets its offsets refused and its transaction aborted; one transactional id per worker
 * ({@code <prefix>-<workerId>}) fences an older incarnation of the same worker when the new one starts.
 *
 * <p>Failures: one the producer survives (a send error, a timeout, {@code CommitFailedException} from a stale
 * generation) aborts the transaction and keeps every pending output for the next attempt; a record refused as
 * too large is replaced by its job's fallback output and the commit tried again at once. A commit that timed out
 * may still land: it is settled first (see {@link #resolve}), never written again. A fatal one (fenced,
 * not authorized, unsupported) closes the producer; the next attempt creates a new one. Outputs of partitions
 * given up meanwhile are dropped with them ({@link PartitionState#abandon()}): their records run again at the new
 * owner - the only way a provider call repeats.
 */
final class TransactionalCommitter extends AbstractOutcomeCommitter {

    private final Consumer<?, ?> consumer;
    private final PollWaker waker;
    /**
     * A transaction whose {@code commitTransaction} timed out: it may or may not be committed. Its partitions, how
     * many of their (first) outputs it holds, and its offsets; empty when there is none. Resolved before anything
     * else is committed - by retrying {@code commitTransaction}, as the producer requires, or, once the producer
     * had to be replaced, from the group's committed offsets - so an output is never written twice.
     */
    private final List<PartitionState> unresolved = new ArrayList<>();
    private final List<Integer> unresolvedOutputs = new ArrayList<>();
    private Map<TopicPartition, OffsetAndMetadata> unresolvedOffsets = Map.of();
    private @Nullable Producer<byte[], byte[]> unresolvedOn;

    private final int metadataMaxChars;

    TransactionalCommitter(Consumer<?, ?> consumer, PollWaker waker, Supplier<? extends Producer<byte[], byte[]>> producers,
            Duration interval, Duration closeTimeout, LongSupplier monotonicMillis) {
        this(consumer, waker, producers, interval, closeTimeout, monotonicMillis, OffsetMetadataCodec.DEFAULT_MAX_CHARS,
                new LoopCounters(1));
    }

    /**
     * @param counters where failed commits are counted, by reason
     * @param metadataMaxChars longest commit metadata ({@link PartitionState#finalCommitCandidate(int)}) */
    TransactionalCommitter(Consumer<?, ?> consumer, PollWaker waker, Supplier<? extends Producer<byte[], byte[]>> producers,
            Duration interval, Duration closeTimeout, LongSupplier monotonicMillis, int metadataMaxChars,
            LoopCounters counters) {
        super(producers, interval, closeTimeout, monotonicMillis, FAILURE_BACKOFF, counters);
        this.consumer = consumer;
        this.waker = waker;
        this.metadataMaxChars = metadataMaxChars;
    }

    @Override
    void prepare(Producer<byte[], byte[]> fresh) {
        fresh.initTransactions();
    }

    @Override
    boolean hasPending(PartitionState s, boolean finalCommit) {
        return !s.uncommittedOutputs().isEmpty() || s.finalCommitCandidate(metadataMaxChars) != null;
    }

    @Override
    Result commit(Producer<byte[], byte[]> p, List<PartitionState> parts, boolean finalCommit) {
        if (!unresolved.isEmpty()) {
            if (!resolve(p)) {
                return Result.FAILED;
            }
            if (!anyPending(parts)) {
                return Result.COMMITTED;
            }
        }
        Exception error;
        boolean committing = false;
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.of();
        try {
            p.beginTransaction();
            error = sendAll(p, parts, false);
            if (error == null && refusals == 0) {
                offsets = offsets(parts);
                if (!offsets.isEmpty()) {
                    p.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                }
                committing = true;
                p.commitTransaction();
                committed(parts, offsets);
                return Result.COMMITTED;
            }
        } catch (TimeoutException e) {
            if (committing) {
                // The commit may still land: remember what it holds and retry it first, never write it again.
                remember(p, parts, offsets);
                failed("Transactional commit (outcome unknown, retried)", e);
                return Result.FAILED;
            }
            error = e;
        } catch (KafkaException | IllegalStateException e) {
            error = e;
        }
        if (error != null && SendFailures.fatal(error)) {
            discardProducer();
        } else {
            abort(p);
        }
        if (refusals > 0 && (error == null || !SendFailures.fatal(error))) {
            return Result.REFUSED; // the other records failed only because the transaction had to abort
        }
        failed(SendFailures.fenced(error) ? "Transactional commit (producer fenced)" : "Transactional commit",
                error, parts);
        return Result.FAILED;
    }

    private boolean anyPending(List<PartitionState> parts) {
        for (PartitionState s : parts) {
            if (!s.abandoned() && hasPending(s, true)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The position and metadata of each partition whose commit would change: its position moved, or what its
     * metadata says (records finished above the position, start counts) did. Every record the metadata calls
     * finished has its outputs in this transaction or an earlier one, since all pending outputs are sent first.
     */
    private Map<TopicPartition, OffsetAndMetadata> offsets(List<PartitionState> parts) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState s : parts) {
            OffsetAndMetadata position = s.finalCommitCandidate(metadataMaxChars);
            if (position != null) {
                offsets.put(s.topicPartition(), position);
            }
        }
        return offsets;
    }

    private static void committed(List<PartitionState> parts, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (PartitionState s : parts) {
            s.uncommittedOutputs().clear();
            OffsetAndMetadata o = offsets.get(s.topicPartition());
            if (o != null) {
                s.commitSucceeded(o);
            }
        }
    }

    private void remember(Producer<byte[], byte[]> p, List<PartitionState> parts,
            Map<TopicPartition, OffsetAndMetadata> offsets) {
        unresolvedOn = p;
        for (PartitionState s : parts) {
            unresolved.add(s);
            unresolvedOutputs.add(s.uncommittedOutputs().size());
        }
        unresolvedOffsets = offsets;
    }

    /**
     * Settles the transaction whose commit timed out: retries {@code commitTransaction} on the same producer; if
     * that producer is gone or fails otherwise, reads the group's committed offsets instead. Returns whether it is
     * settled (then its outputs are removed if it committed, kept if it did not).
     */
    private boolean resolve(Producer<byte[], byte[]> p) {
        Boolean committed;
        if (p == unresolvedOn) {
            try {
                p.commitTransaction();
                committed = true;
            } catch (TimeoutException e) {
                failed("Retried transactional commit (outcome still unknown)", e);
                return false;
            } catch (KafkaException | IllegalStateException e) {
                discardProducer();
                committed = committedPerGroupOffsets();
            }
        } else {
            committed = committedPerGroupOffsets();
        }
        if (committed == null) {
            return false;
        }
        for (int i = 0; i < unresolved.size(); i++) {
            PartitionState s = unresolved.get(i);
            if (committed && !s.abandoned()) {
                s.uncommittedOutputs().subList(0, unresolvedOutputs.get(i)).clear();
                OffsetAndMetadata o = unresolvedOffsets.get(s.topicPartition());
                if (o != null) {
                    s.commitSucceeded(o);
                }
            }
        }
        unresolved.clear();
        unresolvedOutputs.clear();
        unresolvedOffsets = Map.of();
        unresolvedOn = null;
        return true;
    }

    /**
     * Whether the unresolved transaction committed, judged by the group's committed offsets (a new producer's
     * {@code initTransactions} has completed or aborted it by now); null if they cannot be read now. A
     * transaction without offsets cannot be judged: its outputs are kept, at the risk of writing them twice.
     *
     * <p>Its offsets landed if the group's are past them, or at the same position with the same metadata: a
     * transaction that only changed the metadata (records finished above a stuck one) leaves the position where
     * the previous commit put it, so the position alone cannot tell - and taking it for committed would drop
     * outputs that were never written. A commit is only sent when its position or metadata differs from the
     * last one known to be committed, so equal metadata at the same position is this transaction's.
     */
    private @Nullable Boolean committedPerGroupOffsets() {
        if (unresolvedOffsets.isEmpty()) {
            log.warn("A timed-out transaction without offsets cannot be checked; its outputs are written again");
            return false;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = waker.blocking(() -> consumer.committed(unresolvedOffsets.keySet(), closeTimeout));
        } catch (KafkaException e) {
            failed("Reading committed offsets after a timed-out transaction", e);
            return null;
        }
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : unresolvedOffsets.entrySet()) {
            if (!landed(committed.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static boolean landed(@Nullable OffsetAndMetadata committed, OffsetAndMetadata sent) {
        return committed != null && (committed.offset() > sent.offset()
                || committed.offset() == sent.offset() && committed.metadata().equals(sent.metadata()));
    }


    private void abort(Producer<byte[], byte[]> p) {
        try {
            p.abortTransaction();
        } catch (KafkaException | IllegalStateException e) {
            log.debug("Aborting the transaction failed ({}); creating a new producer", e.toString());
            discardProducer();
        }
    }
}
