package io.promptq.worker.kafka.internal;

import io.promptq.retry.Backoff;
import io.promptq.worker.kafka.CommitFailureReason;
import io.promptq.worker.kafka.JobOutput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both committers share: the schedule (every commit interval; after failures, with {@link #FAILURE_BACKOFF}),
 * the producer's lifecycle (created lazily, created anew after a fatal error), sending every pending output and
 * sorting the acknowledgements, and logging a streak of failures once.
 */
abstract class AbstractOutcomeCommitter implements OutcomeCommitter {

    /** Waits after failed commits: 200 ms doubling up to 10 s, full jitter; never shorter than the interval. */
    static final Backoff FAILURE_BACKOFF =
            Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10)).fullJitter().build();
    /** Attempts of a final commit while records are refused (each refusal replaces an output by its fallback). */
    static final int FINAL_ATTEMPTS = 3;

    /** How one commit attempt went. */
    enum Result {
        /** Nothing was pending. */
        NOTHING,
        /** Everything pending was committed. */
        COMMITTED,
        /** A record was refused for good and its job's output replaced: try again at once. */
        REFUSED,
        /** It failed: what is pending stays, the next attempt waits for the backoff. */
        FAILED
    }

    final Logger log = LoggerFactory.getLogger(getClass());
    final Duration closeTimeout;
    private final Supplier<? extends Producer<byte[], byte[]>> producers;
    private final long intervalMillis;
    private final LongSupplier monotonicMillis;
    private final Backoff backoff;
    private final LoopCounters counters;
    /** Reused by every commit (poll thread only). */
    private final List<PartitionState> committing = new ArrayList<>();
    private final List<Future<RecordMetadata>> acks = new ArrayList<>();
    private @Nullable Producer<byte[], byte[]> producer;
    private long nextCommitAt;
    private int failures;
    /** Why outputs cannot be published for a system fault ({@link SendFailures#systemFault}); null when none. */
    private volatile @Nullable String publishFault;
    /** Outputs refused in the latest {@link #sendAll}. */
    int refusals;

    AbstractOutcomeCommitter(Supplier<? extends Producer<byte[], byte[]>> producers, Duration interval,
            Duration closeTimeout, LongSupplier monotonicMillis, Backoff backoff, LoopCounters counters) {
        this.producers = producers;
        this.intervalMillis = interval.toMillis();
        this.closeTimeout = closeTimeout;
        this.monotonicMillis = monotonicMillis;
        this.backoff = backoff;
        this.counters = counters;
        this.nextCommitAt = monotonicMillis.getAsLong() + intervalMillis;
    }

    // ------------------------------------------------------------------ what the implementations add

    /** Whether {@code s} has something to commit: outputs, or a position past what is (being) committed. */
    abstract boolean hasPending(PartitionState s, boolean finalCommit);

    /** Commits what {@code parts} (not empty, none abandoned) have pending, with {@code producer}. */
    abstract Result commit(Producer<byte[], byte[]> producer, List<PartitionState> parts, boolean finalCommit);

    /** Creates the producer; a transactional one registers its id here ({@code initTransactions}). */
    abstract void prepare(Producer<byte[], byte[]> fresh);

    // ------------------------------------------------------------------ OutcomeCommitter

    @Override
    public void start() {
        try {
            producer();
        } catch (KafkaException e) {
            failed("Preparing the outcome producer", e);
        }
    }

    @Override
    public long millisUntilDue() {
        return nextCommitAt - monotonicMillis.getAsLong();
    }

    @Override
    public void commitIfDue(Collection<PartitionState> of) {
        long now = monotonicMillis.getAsLong();
        if (now < nextCommitAt) {
            return;
        }
        Result result = attempt(of, false);
        long wait = intervalMillis;
        if (result == Result.FAILED) {
            wait = Math.max(intervalMillis, backoff.delay(failures).toMillis());
        }
        nextCommitAt = now + wait;
    }

    @Override
    public boolean commitFinal(Collection<PartitionState> of, String why) {
        for (int i = 0; i < FINAL_ATTEMPTS; i++) {
            Result result = attempt(of, true);
            if (result == Result.COMMITTED || result == Result.NOTHING) {
                return true;
            }
            if (result == Result.FAILED) {
                break;
            }
        }
        log.warn("Final commit ({}) failed; their finished jobs will run again at the new owner", why);
        return false;
    }

    @Override
    public void close(boolean crashed) {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p == null) {
            return;
        }
        try {
            p.close(crashed ? Duration.ZERO : closeTimeout);
        } catch (RuntimeException e) {
            log.warn("Closing the outcome producer failed: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ shared steps

    private Result attempt(Collection<PartitionState> of, boolean finalCommit) {
        try {
            for (PartitionState s : of) {
                if (!s.abandoned() && hasPending(s, finalCommit)) {
                    committing.add(s);
                }
            }
            if (committing.isEmpty()) {
                clearPublishFault(); // nothing waits to be published: let intake show whether the fault is gone
                return Result.NOTHING;
            }
            Producer<byte[], byte[]> p;
            try {
                p = producer();
            } catch (KafkaException e) {
                failed("Preparing the outcome producer", e, committing);
                return Result.FAILED;
            }
            Result result = commit(p, committing, finalCommit);
            if (result == Result.COMMITTED && failures > 0) {
                log.info("Commits work again after {} failed attempts", failures);
                failures = 0;
            }
            if (result == Result.COMMITTED) {
                clearPublishFault();
            }
            return result;
        } finally {
            committing.clear();
        }
    }

    /** The producer, created (and prepared) if there is none. */
    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Producer<byte[], byte[]> fresh = producers.get();
            try {
                prepare(fresh);
            } catch (RuntimeException e) {
                closeQuietly(fresh);
                throw e;
            }
            producer = fresh;
        }
        return producer;
    }

    /** Closes the producer after a fatal error; the next commit creates a new one. */
    void discardProducer() {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            closeQuietly(p);
        }
    }

    private void closeQuietly(Producer<byte[], byte[]> p) {
        try {
            p.close(Duration.ZERO);
        } catch (RuntimeException e) {
            log.debug("Closing a failed outcome producer: {}", e.toString());
        }
    }

    @Override
    public @Nullable String publishFault() {
        return publishFault;
    }

    private void clearPublishFault() {
        if (publishFault != null) {
            log.info("Outputs are published again: intake resumes (was: {})", publishFault);
            publishFault = null;
        }
    }

    /** {@link #failed(String, Exception, Collection)} of a failure that names no partitions. */
    void failed(String what, Exception e) {
        failed(what, e, List.of());
    }

    /**
     * Counts a failed commit of {@code parts} by {@link CommitFailureReason}. One refused because the group is
     * rebalancing is logged as a warning every time, naming the partitions and how many finished records stay
     * uncommitted (committed later if the partitions stay, else redone by their next owner); other failures are
     * logged once per streak as a warning, the rest at debug level. A system fault (see
     * {@link SendFailures#systemFault}) also pauses intake and turns readiness red until a commit works.
     */
    void failed(String what, Exception e, Collection<PartitionState> parts) {
        CommitFailureReason reason = CommitFailureReason.of(e);
        counters.countCommitFailure(reason);
        if (SendFailures.systemFault(e)) {
            if (publishFault == null) {
                log.error("{} failed for a system fault ({}): outputs are kept and published again with backoff;"
                        + " intake is paused and readiness is down until it works", what, e.toString());
            }
            publishFault = what + " failed: " + e;
        }
        if (reason == CommitFailureReason.REBALANCE && !parts.isEmpty()) {
            failures++;
            long finished = 0;
            List<Object> partitions = new ArrayList<>(parts.size());
            for (PartitionState s : parts) {
                finished += s.finishedUncommitted();
                partitions.add(s.topicPartition());
            }
            log.warn("{} failed during a rebalance ({}): {} finished records of {} stay uncommitted (committed later"
                    + " if the partitions stay here, else run again by their next owner)", what, e.toString(),
                    finished, partitions);
            return;
        }
        if (failures++ == 0) {
            log.warn("{} failed ({}); what is pending is kept and committed later (further failures are logged at"
                    + " debug level until it works again)", what, e.toString());
        } else {
            log.debug("{} failed again ({} in a row): {}", what, failures, e.toString());
        }
    }

    /**
     * Sends every pending output of {@code parts} and waits for all acknowledgements ({@code flush}). An output
     * the broker refused for good is replaced by its fallback (dropped, with an error, if it has none); sent
     * outputs are removed if {@code removeSent}. Sets {@link #refusals}.
     *
     * @return the first failure other than a refusal, or null
     * @throws KafkaException if {@code flush} fails
     */
    @Nullable Exception sendAll(Producer<byte[], byte[]> p, List<PartitionState> parts, boolean removeSent) {
        refusals = 0;
        acks.clear();
        try {
            for (PartitionState s : parts) {
                List<JobCompletion> outputs = s.uncommittedOutputs();
                for (int i = 0; i < outputs.size(); i++) {
                    List<ProducerRecord<byte[], byte[]>> records = output(outputs.get(i)).records();
                    for (int j = 0; j < records.size(); j++) {
                        acks.add(send(p, records.get(j)));
                    }
                }
            }
            p.flush();
            return sortAcknowledgements(parts, removeSent);
        } finally {
            acks.clear();
        }
    }

    private @Nullable Exception sortAcknowledgements(List<PartitionState> parts, boolean removeSent) {
        Exception error = null;
        int k = 0;
        for (PartitionState s : parts) {
            List<JobCompletion> outputs = s.uncommittedOutputs();
            int kept = 0;
            for (int i = 0; i < outputs.size(); i++) {
                JobCompletion c = outputs.get(i);
                Throwable failure = null;
                int records = output(c).records().size();
                for (int j = 0; j < records; j++) {
                    Throwable t = failure(acks.get(k++));
                    if (t != null && (failure == null || SendFailures.refused(t))) {
                        failure = t;
                    }
                }
                if (failure == null) {
                    if (!removeSent) {
                        outputs.set(kept++, c);
                    }
                } else if (SendFailures.refused(failure)) {
                    JobOutput fallback;
                    try {
                        fallback = output(c).fallback();
                    } catch (RuntimeException e) {
                        log.error("Output of {} refused ({}) and its fallback could not be built ({}); trying again",
                                c, failure.toString(), e.toString());
                        error = error == null ? e : error;
                        outputs.set(kept++, c);
                        continue;
                    }
                    refusals++;
                    if (fallback == null) {
                        log.error("Output of {} refused ({}) and it has no fallback: dropped, the job has no outcome"
                                + " record", c, failure.toString());
                    } else {
                        log.warn("Output of {} refused ({}): writing its fallback instead", c, failure.toString());
                        outputs.set(kept++, c.withOutput(fallback));
                    }
                } else {
                    if (error == null) {
                        error = failure instanceof Exception e ? e : new KafkaException(failure);
                    }
                    outputs.set(kept++, c);
                }
            }
            outputs.subList(kept, outputs.size()).clear();
        }
        return error;
    }

    private static JobOutput output(JobCompletion c) {
        JobOutput output = c.output();
        return output == null ? JobOutput.none() : output;
    }

    private static Future<RecordMetadata> send(Producer<byte[], byte[]> p, ProducerRecord<byte[], byte[]> record) {
        try {
            return p.send(record);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static @Nullable Throwable failure(Future<RecordMetadata> ack) {
        if (!ack.isDone()) {
            return new TimeoutException("not acknowledged after flush");
        }
        try {
            ack.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
