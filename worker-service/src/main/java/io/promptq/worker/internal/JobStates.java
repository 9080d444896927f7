package io.promptq.worker.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.promptq.retry.Backoff;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.PromptJob;
import io.promptq.worker.metrics.WorkerMetricNames;
import io.promptq.worker.processing.AttemptListener;
import io.promptq.worker.processing.JobHistory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's job states on the status topic. RUNNING (attempt n, this worker, when the attempt reached the
 * provider) is written here, at once and best-effort, with a small producer of its own: it must be visible while
 * the job runs, so it cannot wait for the outcome commit (with exactly-once the outcome producer's records are
 * invisible until the commit, and its fatal-error handling would then also cover a record nobody depends on). A
 * lost RUNNING is superseded by the job's next state. RETRYING is not written here: {@link #retrying} builds it
 * for the handler, which writes it with the retry record (in the same transaction with exactly-once).
 *
 * <p>What is not written: nothing for a job parked without reaching the provider (breaker open, model known to be
 * refused: no attempt is spent, the job keeps its last state, QUEUED or RETRYING); a job whose call the provider
 * refused (401/403/404, parked, no attempt counted) shows RUNNING(n) until its next attempt, whose RUNNING(n) the
 * readers then drop as a repeat. An exactly-once delivery re-run after an aborted transaction writes its RUNNING
 * again (readers drop the repeat) and its RETRYING only in the committed transaction.
 *
 * <p>RUNNING is used only once the status topic is known to exist ({@link #start} checks it on a thread of its
 * own): a send to a missing topic would hold the provider call for {@code max.block.ms}. Failures are counted
 * ({@value WorkerMetricNames#STATES_NOT_WRITTEN}) and warned about at most once per {@link #WARN_INTERVAL}.
 * Thread-safe.
 */
final class JobStates implements AttemptListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobStates.class);
    static final Duration WARN_INTERVAL = Duration.ofSeconds(10);
    /** Waits between checks of the status topic: 250 ms doubling up to 30 s, full jitter, until it exists. */
    static final Backoff CHECK_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(30))
            .fullJitter().build();
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Producer<byte[], byte[]> producer;
    private final Serializer<JobStateChange> serializer;
    private final String topic;
    private final String workerId;
    private final Clock clock;
    private final BooleanSupplier topicExists;
    private final LongAdder notWritten = new LongAdder();
    private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong unwarned = new AtomicLong();
    private volatile boolean ready;
    private volatile boolean closed;
    private Thread checker;

    /**
     * @param producer a non-transactional producer, closed by {@link #close()}
     * @param topicExists whether the status topic exists (may block while metadata is fetched)
     */
    JobStates(Producer<byte[], byte[]> producer, Serializer<JobStateChange> serializer, String topic, String workerId,
            Clock clock, BooleanSupplier topicExists) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.workerId = Objects.requireNonNull(workerId, "workerId");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.topicExists = Objects.requireNonNull(topicExists, "topicExists");
    }

    /** Starts checking, until it succeeds, that the status topic exists; RUNNING states are written from then on. */
    synchronized JobStates start() {
        checker = Thread.ofVirtual().name("promptq-states-" + workerId).start(this::check);
        return this;
    }

    private void check() {
        Backoff.Attempts attempts = CHECK_BACKOFF.start();
        while (!closed) {
            try {
                if (topicExists.getAsBoolean()) {
                    ready = true;
                    return;
                }
                throw new IllegalStateException("the topic does not exist");
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    return;
                }
                log.warn("Cannot write job states to {} yet (checking again in {} ms): {}", topic,
                        wait.get().toMillis(), e.toString());
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Whether RUNNING states are written (the status topic is known to exist). */
    boolean ready() {
        return ready;
    }

    /** Writes RUNNING(attempt) of {@code job}; never throws or blocks for long. */
    @Override
    public void started(PromptJob job, int attempt) {
        String jobId = job.getJobId();
        if (!ready) {
            notWritten(jobId, "the status topic is not available yet");
            return;
        }
        try {
            Instant now = clock.instant();
            JobStateChange running = new JobStateChange(jobId, job.getTenant(), JobState.RUNNING, now, attempt, workerId,
                    null, null, job.getRedrive());
            producer.send(new ProducerRecord<>(topic, null, now.toEpochMilli(), jobId.getBytes(StandardCharsets.UTF_8),
                    serializer.serialize(topic, running)), (metadata, error) -> {
                        if (error != null) {
                            notWritten(jobId, error.toString());
                        }
                    });
        } catch (RuntimeException e) {
            notWritten(jobId, e.toString());
        }
    }

    /**
     * The RETRYING state of a job whose delivery spent attempt {@code history.attempts()} and goes to a retry tier,
     * due at {@code dueAt}, written by {@code workerId}.
     */
    static JobStateChange retrying(JobHistory history, Instant dueAt, String workerId) {
        return new JobStateChange(history.jobId(), history.job().getTenant(), JobState.RETRYING, history.decidedAt(),
                history.attempts(), workerId, dueAt, history.lastError() == null ? null : history.lastError().getType(),
                history.job().getRedrive());
    }

    private void notWritten(String jobId, String why) {
        notWritten.increment();
        long now = System.nanoTime();
        long next = nextWarnNanos.get();
        if (now - next >= 0 && nextWarnNanos.compareAndSet(next, now + WARN_INTERVAL.toNanos())) {
            long others = unwarned.getAndSet(0);
            log.warn("RUNNING state of job {} not written to {}{}: {}", jobId, topic,
                    others == 0 ? "" : " (" + others + " more since the last warning)", why);
        } else {
            unwarned.incrementAndGet();
        }
    }

    /** Binds the count of states not written. */
    void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(WorkerMetricNames.STATES_NOT_WRITTEN, notWritten, LongAdder::sum)
                .tag(WorkerMetricNames.TAG_WORKER, workerId)
                .description("RUNNING job states not written to the status topic").register(registry);
    }

    /** States not written so far. */
    long notWritten() {
        return notWritten.sum();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (checker != null) {
            checker.interrupt();
        }
        producer.close(CLOSE_TIMEOUT);
    }
}
