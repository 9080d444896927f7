package io.promptq.worker.kafka.internal;

import java.util.Collection;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;

/**
 * Writes finished jobs' outputs and commits the consumed offsets - the one place where a job's outcome becomes
 * visible and its record counts as consumed. Two ways, chosen by {@link LoopSettings#transactions()}:
 * <ul>
 *   <li>{@link TransactionalCommitter} (the default): outputs and offsets in one Kafka transaction, so both or
 *       neither become visible (to {@code read_committed} readers);</li>
 *   <li>{@link AtLeastOnceCommitter}: outputs first, offsets once the broker acknowledged them - an output may be
 *       written twice, never lost.</li>
 * </ul>
 * Both commit per partition up to the lowest unfinished offset, every commit interval ({@link #commitIfDue}) and
 * before partitions are given up ({@link #commitFinal}); outputs of finished records above that offset are written
 * with the same commit. Failures are logged, not thrown: what was not committed stays pending (a retry follows,
 * with backoff while failures repeat) until its partition is given up, and then its records are redelivered.
 *
 * <p>Confined to the poll thread, like every producer and consumer call it makes.
 */
interface OutcomeCommitter {

    /** Prepares the producer (a transactional one registers its id, fencing an older incarnation). */
    void start();

    /** Millis until the next commit is due (negative if overdue): a poll should not block longer. */
    long millisUntilDue();

    /** Once the commit interval (or, after failures, the backoff) has passed: commits {@code of}. */
    void commitIfDue(Collection<PartitionState> of);

    /**
     * Commits {@code of} now, before they are given up (revocation, shutdown); waits for the result.
     *
     * @param why for the log: "revocation", "shutdown"
     * @return whether everything pending of {@code of} was committed
     */
    boolean commitFinal(Collection<PartitionState> of, String why);

    /**
     * Why outputs cannot be published now for a fault of the system (not authorized, producer unusable), or null:
     * while set, intake pauses ({@link io.promptq.worker.kafka.PauseReason#PUBLISH_FAILING}) and readiness is down.
     * Any thread.
     */
    @Nullable String publishFault();

    /**
     * Closes the producer: after a graceful stop waiting up to the close timeout, after a crash at once, leaving
     * an open transaction (if any) to time out or be fenced.
     */
    void close(boolean crashed);

    /**
     * The committer {@code settings} ask for.
     *
     * @param producers creates the producer (transactional or idempotent, as {@code settings} ask), again after a
     *     fatal producer error
     * @param monotonicMillis a monotonic clock in millis, for the commit interval
     * @param counters where failed commits are counted, by reason
     */
    static OutcomeCommitter create(LoopSettings settings, Consumer<?, ?> consumer, PollWaker waker,
            Supplier<? extends Producer<byte[], byte[]>> producers, LongSupplier monotonicMillis,
            LoopCounters counters) {
        return settings.transactions()
                ? new TransactionalCommitter(consumer, waker, producers, settings.commitInterval(),
                        settings.closeTimeout(), monotonicMillis, settings.offsetMetadataMaxChars(), counters)
                : new AtLeastOnceCommitter(consumer, waker, producers, settings.commitInterval(),
                        settings.closeTimeout(), monotonicMillis, settings.offsetMetadataMaxChars(), counters);
    }
}
