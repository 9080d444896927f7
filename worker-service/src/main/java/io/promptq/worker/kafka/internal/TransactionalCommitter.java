package io.promptq.worker.kafka.internal;

import java.time.Duration;
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
 * too large is replaced by its job's fallback output and the commit tried again at once. A fatal one (fenced,
 * not authorized, unsupported) closes the producer; the next attempt creates a new one. Outputs of partitions
 * given up meanwhile are dropped with them ({@link PartitionState#abandon()}): their records run again at the new
 * owner - the only way a provider call repeats.
 */
final class TransactionalCommitter extends AbstractOutcomeCommitter {

    private final Consumer<?, ?> consumer;

    TransactionalCommitter(Consumer<?, ?> consumer, Supplier<? extends Producer<byte[], byte[]>> producers,
            Duration interval, Duration closeTimeout, LongSupplier monotonicMillis) {
        super(producers, interval, closeTimeout, monotonicMillis, FAILURE_BACKOFF);
        this.consumer = consumer;
    }

    @Override
    void prepare(Producer<byte[], byte[]> fresh) {
        fresh.initTransactions();
    }

    @Override
    boolean hasPending(PartitionState s, boolean finalCommit) {
        return !s.uncommittedOutputs().isEmpty() || s.finalCommitCandidate() >= 0;
    }

    @Override
    Result commit(Producer<byte[], byte[]> p, List<PartitionState> parts, boolean finalCommit) {
        Exception error;
        try {
            p.beginTransaction();
            error = sendAll(p, parts, false);
            if (error == null && refusals == 0) {
                Map<TopicPartition, OffsetAndMetadata> offsets = offsets(parts);
                if (!offsets.isEmpty()) {
                    p.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                }
                p.commitTransaction();
                committed(parts, offsets);
                return Result.COMMITTED;
            }
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
                error);
        return Result.FAILED;
    }

    /** The position of each partition that moved past its committed one. */
    private static Map<TopicPartition, OffsetAndMetadata> offsets(List<PartitionState> parts) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (PartitionState s : parts) {
            long position = s.finalCommitCandidate();
            if (position >= 0) {
                offsets.put(s.topicPartition(), new OffsetAndMetadata(position));
            }
        }
        return offsets;
    }

    private static void committed(List<PartitionState> parts, Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (PartitionState s : parts) {
            s.uncommittedOutputs().clear();
            OffsetAndMetadata o = offsets.get(s.topicPartition());
            if (o != null) {
                s.commitSucceeded(o.offset());
            }
        }
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
