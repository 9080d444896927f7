package io.promptq.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * Decides, before a jobs-topic record starts, whether it is the first copy of its job or a later copy of a job
 * already accepted (the same idempotency key submitted again): a later copy is never started, it only counts as
 * consumed. Retry-tier records are not asked: a retry record continues its job.
 *
 * <p>The poll loop calls every method on its thread. When a jobs partition is assigned it calls {@link #assigned};
 * the gate prepares the partition's state (e.g. restores it from a ledger, on a thread of its own) and calls
 * {@code onReady} from any thread once {@link #ready} is true. Until then the loop holds the partition's records
 * ({@link PauseReason#RESTORING}). Then it asks {@link #admit} for each record of the partition, in offset order,
 * just before the record would start; a {@link Run} may carry a ledger record, which the loop writes with the
 * partition's next commit (in the same Kafka transaction as the offsets it commits), so the ledger and the
 * committed offsets never disagree. {@link #revoked} forgets the partition.
 *
 * <p>{@link #admit} is on the hot path: it must be cheap for records without an idempotency key.
 */
public interface DuplicateGate {

    /** A gate that runs every record and holds nothing. */
    DuplicateGate NONE = new DuplicateGate() {
        @Override
        public void assigned(TopicPartition partition, Runnable onReady) {}

        @Override
        public boolean ready(TopicPartition partition) {
            return true;
        }

        @Override
        public void revoked(TopicPartition partition) {}

        @Override
        public Admission admit(ConsumerRecord<byte[], byte[]> record) {
            return Admission.RUN;
        }
    };

    /**
     * The jobs partition {@code partition} was assigned: prepare its state, and call {@code onReady} (from any
     * thread) once {@link #ready} answers true.
     */
    void assigned(TopicPartition partition, Runnable onReady);

    /** Whether {@code partition}'s state is ready, so its records may be admitted. Cheap. */
    boolean ready(TopicPartition partition);

    /** The partition was revoked or lost: forget its state (an unfinished preparation is abandoned). */
    void revoked(TopicPartition partition);

    /** Whether {@code record} of a ready partition runs; asked once per record, in offset order. */
    Admission admit(ConsumerRecord<byte[], byte[]> record);

    /** The gate's decision about one record. */
    sealed interface Admission permits Run, Duplicate {

        /** Run, nothing to record. */
        Run RUN = new Run(null);
    }

    /**
     * Run the record.
     *
     * @param ledgerRecord what to write with the partition's next commit (the first copy of a keyed job), or null
     */
    record Run(@Nullable ProducerRecord<byte[], byte[]> ledgerRecord) implements Admission {}

    /**
     * Do not run the record: it is a later copy of the job whose first copy is at {@code firstOffset}; it counts
     * as consumed at once, has no output, and the first copy's outcome is the job's.
     *
     * @param conflict whether its payload differs from the first copy's
     */
    record Duplicate(long firstOffset, boolean conflict) implements Admission {}
}
