package io.promptq.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Processes one record of the jobs or retry topics to its {@link JobOutput}. Called on its own virtual thread.
 * The handler does not publish: the poll loop writes the output together with the record's offset (in one
 * Kafka transaction by default), so a job's outcome becomes visible exactly when its record counts as consumed.
 */
@FunctionalInterface
public interface RecordHandler {

    /**
     * Handles {@code record}.
     *
     * @param context whether the record was abandoned (then stop: the output is dropped and the record
     *     redelivered) and how often it was started before without an outcome
     * @return the records to write for it, serialized
     * @throws InterruptedException when interrupted because the record was abandoned
     * @throws java.util.concurrent.CancellationException when it stopped because the record was abandoned
     */
    JobOutput handle(ConsumerRecord<byte[], byte[]> record, JobContext context) throws InterruptedException;
}
