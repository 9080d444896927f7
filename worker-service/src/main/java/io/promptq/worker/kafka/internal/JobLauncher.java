package io.promptq.worker.kafka.internal;

import io.promptq.retry.Backoff;
import io.promptq.worker.kafka.JobContext;
import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.RecordHandler;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts jobs and takes their completions back: the only place that runs job code ({@link RecordHandler}).
 *
 * <p>The poll thread calls {@link #launchReady} to start buffered records on job threads (virtual threads),
 * round-robin over partitions, while partition permits (K) and worker permits ({@code maxInFlight}) allow. Each
 * job thread runs its record through {@link #runJob}, which classifies what the handler does: it returned its
 * output (the record is finished), it was interrupted or cancelled (its partition was abandoned), or it threw -
 * then the record is tried again after a backoff ({@link #HANDLER_BACKOFF}: 1 s doubling up to 30 s, full jitter)
 * until it succeeds or its partition is abandoned - unbounded by design and safe only under {@link RecordHandler}'s
 * contract that a handler throws only before side effects (a limit would leave the offset unfinished, pinning the
 * partition's commits while readiness stays green; the record is never skipped). The job then reports a {@link JobCompletion} with its output
 * through a queue and wakes the poll; the poll thread applies completions ({@link #applyCompletions}): the offset
 * counts as finished and the output waits in its partition for the commit that writes both. Partition state
 * never leaves the poll thread.
 */
final class JobLauncher {

    /** Backoff between attempts of a handler that threw: 1 s doubling up to 30 s, full jitter, no budget. */
    static final Backoff HANDLER_BACKOFF =
            Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(30)).fullJitter().build();

    private static final Logger log = LoggerFactory.getLogger(JobLauncher.class);

    /** What the handler of one record may ask: backed by its partition's state. */
    private record Context(PartitionState state, int previousStarts) implements JobContext {
        @Override
        public boolean abandoned() {
            return state.abandoned();
        }
    }

    private final int maxInFlight;
    private final RecordHandler handler;
    private final ThreadFactory jobThreads;
    private final Backoff backoff;
    private final Runnable wakePoll;
    private final DuplicateFilter duplicates;
    private final LinkedBlockingQueue<JobCompletion> completions = new LinkedBlockingQueue<>();
    /** The first {@link Error} a job threw (e.g. OutOfMemoryError); the worker must stop. */
    private final AtomicReference<@Nullable Error> jobError = new AtomicReference<>();
    private int inFlight;
    private int rotation;

    /**
     * @param maxInFlight jobs of the whole worker in flight at most
     * @param jobThreads creates the thread of each job
     * @param backoff waits between attempts of a handler that threw ({@link #HANDLER_BACKOFF} in production)
     * @param wakePoll called by a job thread after it reported its completion ({@link PollWaker#wake()})
     */
    JobLauncher(int maxInFlight, RecordHandler handler, ThreadFactory jobThreads, Backoff backoff, Runnable wakePoll) {
        this(maxInFlight, handler, jobThreads, backoff, wakePoll, DuplicateFilter.none());
    }

    /** @param duplicates asked before each record starts: a later copy of an accepted job is finished unstarted */
    JobLauncher(int maxInFlight, RecordHandler handler, ThreadFactory jobThreads, Backoff backoff, Runnable wakePoll,
            DuplicateFilter duplicates) {
        this.duplicates = duplicates;
        this.maxInFlight = maxInFlight;
        this.handler = handler;
        this.jobThreads = jobThreads;
        this.backoff = backoff;
        this.wakePoll = wakePoll;
    }

    // ------------------------------------------------------------------ poll thread

    /**
     * Starts what may start now, round-robin over {@code partitions} from a rotating first one; a record the
     * {@link DuplicateFilter} calls a later copy of an accepted job is finished without starting.
     */
    void launchReady(List<PartitionState> partitions, long now) {
        int n = partitions.size();
        if (n == 0) {
            return;
        }
        int first = Math.floorMod(rotation++, n);
        for (int i = 0; i < n && inFlight < maxInFlight; i++) {
            PartitionState s = partitions.get((first + i) % n);
            while (inFlight < maxInFlight && s.canStart()) {
                PartitionState.Pending p = s.nextReady(now);
                if (p == null) {
                    break;
                }
                if (duplicates.admit(s, p)) {
                    start(s, p);
                }
            }
        }
    }

    private void start(PartitionState s, PartitionState.Pending p) {
        Thread t = jobThreads.newThread(() -> runJob(s, p));
        inFlight++;
        s.started(p, t);
        t.start();
    }

    /** Jobs started and not yet applied as ended (abandoned ones included). */
    int inFlight() {
        return inFlight;
    }

    /** Whether the worker-wide cap is taken. */
    boolean capReached() {
        return inFlight >= maxInFlight;
    }

    /** Whether completions wait to be applied (the poll must not block). Any thread. */
    boolean hasCompletions() {
        return !completions.isEmpty();
    }

    /** Applies every queued completion: frees permits, marks finished offsets of partitions still owned. */
    void applyCompletions() {
        JobCompletion c;
        while ((c = completions.poll()) != null) {
            apply(c);
        }
    }

    /**
     * Applies completions until no partition of {@code of} has running jobs or {@code wait} has passed; returns
     * early if the thread is interrupted (keeping the interrupt).
     */
    void awaitRunning(Collection<PartitionState> of, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (anyRunning(of)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return;
            }
            try {
                JobCompletion c = completions.poll(remaining, TimeUnit.NANOSECONDS);
                if (c == null) {
                    return;
                }
                apply(c);
                applyCompletions();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void apply(JobCompletion c) {
        inFlight--;
        PartitionState s = c.state();
        // A revoked or lost partition's offsets belong to the new owner now: never mark them finished.
        boolean finished = c.finished() && !s.abandoned();
        s.ended(c.seq(), finished);
        if (finished) {
            s.awaitCommit(c);
        }
    }

    private static boolean anyRunning(Collection<PartitionState> of) {
        for (PartitionState s : of) {
            if (s.running() > 0) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ job threads

    /**
     * The first {@link Error} (e.g. OutOfMemoryError) a job threw, or null. The JVM cannot be trusted after one and
     * the job's offset would stay unfinished forever, so the poll loop stops the worker. Any thread.
     */
    @Nullable Error jobError() {
        return jobError.get();
    }

    /**
     * Runs on the job's thread: the handler, carefully, then the completion report. An {@link Error} is not
     * retried: it is kept for the poll loop ({@link #jobError}), which stops the worker.
     */
    private void runJob(PartitionState s, PartitionState.Pending p) {
        JobOutput output = null;
        try {
            output = handleUntilDoneOrAbandoned(s, p.record(), new Context(s, previousStarts(p)));
        } catch (Error e) {
            jobError.compareAndSet(null, e);
        } finally {
            completions.add(new JobCompletion(s, p.seq(), p.record().offset(), output));
            wakePoll.run();
        }
    }

    /** How often earlier owners started the record without an outcome (from the committed offset's metadata). */
    private static int previousStarts(PartitionState.Pending p) {
        return p.previousStarts();
    }

    /** The handler's output for the record; null if the partition was abandoned first (or the handler gave up). */
    private @Nullable JobOutput handleUntilDoneOrAbandoned(PartitionState s, ConsumerRecord<byte[], byte[]> r,
            JobContext context) {
        Backoff.Attempts attempts = null;
        while (!s.abandoned()) {
            try {
                JobOutput output = handler.handle(r, context);
                return output == null ? JobOutput.none() : output;
            } catch (InterruptedException | CancellationException e) {
                return null;
            } catch (RuntimeException e) {
                if (s.abandoned()) {
                    return null;
                }
                if (attempts == null) {
                    attempts = backoff.start(); // only on failure: no allocation on the happy path
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.error("Handling {}-{}@{} failed; giving up after {} attempts", r.topic(), r.partition(),
                            r.offset(), attempts.failures(), e);
                    return null;
                }
                log.error("Handling {}-{}@{} failed; trying again in {} ms", r.topic(), r.partition(), r.offset(),
                        wait.get().toMillis(), e);
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    return null; // abandoned while backing off
                }
            }
        }
        return null;
    }
}
