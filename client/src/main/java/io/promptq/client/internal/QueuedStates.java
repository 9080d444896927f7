package io.promptq.client.internal;

import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.PromptJob;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QUEUED state changes a submitter writes to the status topic, one per newly accepted job (attempt 0, at = the
 * job's {@code submittedAt}, keyed by job id). A state change is best-effort: the job record is the acceptance, so a
 * QUEUED that cannot be written is counted and warned about (at most once per {@link #WARN_INTERVAL}), never failing
 * the submission.
 *
 * <p>The status topic is used only once it is known to exist and its schema is resolved ({@link #check()}, run by
 * the client's warm-up thread): a send to a missing topic would block the submitting thread for {@code max.block.ms}.
 * Until then QUEUED changes are skipped and counted like failed ones. Thread-safe.
 */
final class QueuedStates {

    private static final Logger log = LoggerFactory.getLogger(QueuedStates.class);
    /** Shortest time between two warnings about QUEUED changes not written. */
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    /** Longest a submission waits for the first check of the status topic (only while it is still running). */
    static final Duration FIRST_CHECK_WAIT = Duration.ofSeconds(1);

    private static final JobStateChange SAMPLE = JobStateChange.newBuilder().setJobId("00000000-0000-0000-0000-000000000000")
            .setTenant("warmup").setState(JobState.QUEUED).setAt(Instant.EPOCH).setAttempt(0).build();

    private final Serializer<JobStateChange> serializer;
    private final String topic;
    private final BooleanSupplier topicExists;
    private final LongAdder failures = new LongAdder();
    private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong unwarned = new AtomicLong();
    private final CompletableFuture<Void> firstCheck = new CompletableFuture<>();
    private volatile boolean ready;

    /**
     * @param topicExists whether the status topic exists (blocks while metadata is fetched; runs off the hot path)
     */
    QueuedStates(Serializer<JobStateChange> serializer, String topic, BooleanSupplier topicExists) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.topicExists = Objects.requireNonNull(topicExists, "topicExists");
    }

    String topic() {
        return topic;
    }

    /**
     * Resolves the state change schema and checks that the status topic exists; true once both did. Failures are
     * thrown; the first call, successful or not, ends {@link #awaitFirstCheck}.
     */
    boolean check() {
        try {
            serializer.serialize(topic, SAMPLE);
            if (!topicExists.getAsBoolean()) {
                throw new IllegalStateException("the status topic " + topic + " does not exist");
            }
            ready = true;
            return true;
        } finally {
            firstCheck.complete(null);
        }
    }

    /** Whether QUEUED changes are written: the status topic exists and its schema is resolved. */
    boolean ready() {
        return ready;
    }

    /** Waits at most {@code nanos} (and {@link #FIRST_CHECK_WAIT}) for the first {@link #check()} to end. */
    boolean awaitFirstCheck(long nanos) {
        if (ready || firstCheck.isDone()) {
            return ready;
        }
        try {
            firstCheck.get(Math.max(0, Math.min(nanos, FIRST_CHECK_WAIT.toNanos())), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // not known yet: this job's QUEUED is skipped
        }
        return ready;
    }

    /** The QUEUED record of {@code job}, timestamped with its submission time. */
    ProducerRecord<String, byte[]> record(PromptJob job) {
        Instant at = job.getSubmittedAt();
        JobStateChange change = JobStateChange.newBuilder().setJobId(job.getJobId()).setTenant(job.getTenant())
                .setState(JobState.QUEUED).setAt(at).setAttempt(0).setWorkerId(null).setNextAttemptAt(null)
                .setErrorClass(null).build();
        return new ProducerRecord<>(topic, null, at.toEpochMilli(), job.getJobId(), serializer.serialize(topic, change));
    }

    /** Counts a QUEUED change of {@code jobId} that was not written, and warns (rate-limited). */
    void notWritten(String jobId, Object why) {
        failures.increment();
        long now = System.nanoTime();
        long next = nextWarnNanos.get();
        if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL.toNanos())) {
            long others = unwarned.getAndSet(0);
            log.warn("QUEUED state of job {} not written to {} (the job is accepted; its state shows once a worker "
                    + "starts it){}: {}", jobId, topic, others == 0 ? "" : "; " + others + " more since the last warning",
                    why);
        } else {
            unwarned.incrementAndGet();
        }
    }

    /** QUEUED changes not written so far. */
    long failures() {
        return failures.sum();
    }

    void close() {
        serializer.close();
    }
}
