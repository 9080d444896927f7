package io.promptq.worker.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Processes one record of the jobs or retry topics to its {@link JobOutput}. Called on its own virtual thread.
 * The handler does not publish: the poll loop writes the output together with the record's offset (in one
 * Kafka transaction by default), so a job's outcome becomes visible exactly when its record counts as consumed.
 *
 * <p><b>Failure contract: a handler must not throw after side effects.</b> A {@link RuntimeException} from
 * {@link #handle} means "nothing happened, call me again": the poll loop runs the whole {@code handle} again on the
 * same record after a backoff (1 s doubling up to 30 s, full jitter), with no attempt limit, until it returns or the
 * record's partition is abandoned (revoked, lost, shutdown) - the record is never skipped and its offset never
 * counts as consumed without an output, so nothing is lost. Retrying without a limit is safe only because a throw
 * has no effect: so a handler may throw only before any side effect (a provider call, money spent, anything
 * visible outside the worker). Once it has one, every failure must end in an output instead - a dead letter naming
 * the reason (e.g. {@code INTERNAL_ERROR} for a job fault), or, for a system fault, waiting/pausing inside the
 * handler while {@link JobContext#abandoned()} stays false - never in a throw, or the side effect is repeated on
 * every retry (e.g. one paid provider call per backoff, forever).
 */
@FunctionalInterface
public interface RecordHandler {

    /**
     * Handles {@code record}.
     *
     * @param context whether the record was abandoned (then stop: the output is dropped and the record
     *     redelivered) and how often it was started before without an outcome
     * @return the records to write for it, serialized
     * @throws RuntimeException only before any side effect: the record is then handled again after a backoff
     *     (see the class documentation)
     * @throws InterruptedException when interrupted because the record was abandoned
     * @throws java.util.concurrent.CancellationException when it stopped because the record was abandoned
     */
    JobOutput handle(ConsumerRecord<byte[], byte[]> record, JobContext context) throws InterruptedException;
}
