package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.PauseReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flow state of one assigned partition: its permits (at most K jobs in flight), a bounded buffer of fetched
 * records waiting for a permit (or, on a retry tier, for their due time), the {@link OffsetTracker} of its
 * offsets, the outputs of finished jobs waiting for the commit that writes them, and whether and why it is
 * paused.
 *
 * <p>It also carries what a commit knows beyond its position ({@link OffsetProgress}): {@link #restore} reads the
 * committed offset's metadata when the partition is assigned, so that a fetched record the previous owner finished
 * above its commit position is registered as finished at once and never started ({@link #add} returns false), and
 * a record it started without an outcome carries that start count ({@link Pending#previousStarts()}). Each start
 * counts ({@link #started}), a finished record drops its count, and {@link #commitCandidate(int)} writes the
 * finished records above the position, the start counts and whatever restored knowledge was not fetched yet into
 * the next commit's metadata ({@link OffsetMetadataCodec}).
 *
 * <p>Confined to the poll thread, except the volatile fields read by metrics and {@link #abandoned()}, which job
 * threads read to learn that their partition was revoked. A new instance is created for every assignment, so a
 * completion that refers to an old instance is recognisably stale.
 */
final class PartitionState implements PartitionView {

    /**
     * A fetched record, registered in the tracker under {@code seq}; {@code dueAt} in epoch millis (0 = now);
     * {@code previousStarts}: how often earlier owners of the partition started it without an outcome (a job that
     * keeps killing its worker has a growing count).
     */
    record Pending(ConsumerRecord<byte[], byte[]> record, long seq, long dueAt, int previousStarts) {}

    private static final Logger log = LoggerFactory.getLogger(PartitionState.class);

    private final TopicPartition tp;
    private final boolean retryTier;
    private final int permits;
    private final int bufferCapacity;
    private final int maxUncommitted;
    private final OffsetTracker tracker;
    private final ArrayDeque<Pending> buffer;
    private final Map<Long, Thread> running = new HashMap<>();
    /** Running jobs whose records a log truncation took away ({@link #truncated}): their results are ignored. */
    private final Set<Long> forgotten = new HashSet<>();
    /** Finished jobs whose output waits for the next commit, in completion order; read and emptied by it. */
    private final ArrayList<JobCompletion> uncommittedOutputs = new ArrayList<>();

    private volatile int inFlight;
    private volatile int buffered;
    private volatile @Nullable PauseReason pauseReason;
    private volatile boolean abandoned;
    private boolean draining;
    /** A jobs partition whose records the {@link io.promptq.worker.kafka.DuplicateGate} admits ({@link #deduplicate}). */
    private boolean deduplicated;
    /** Held until the gate has restored the partition's state: nothing starts, nothing is fetched. */
    private boolean restoring;
    /**
     * Held until what the previous owner committed could be read ({@link #restore}): nothing is buffered, started or
     * fetched, so a record the previous owner finished cannot run again.
     */
    private boolean offsetsPending;
    /** The latest commit known to have succeeded, and the latest one sent (in flight or succeeded), never lower. */
    private @Nullable OffsetAndMetadata committed;
    private @Nullable OffsetAndMetadata requested;
    /** What the previous owner's commit knew about records not fetched yet; null once they are all fetched. */
    private OffsetProgress.@Nullable Lookup restored;
    private long restoredEnd;
    private long skippedFinished;
    /** The offset of the first record added in this ownership, -1 before. */
    private long firstOffset = -1;

    PartitionState(TopicPartition tp, boolean retryTier, int permits, int bufferCapacity, int maxUncommitted) {
        if (permits < 1 || bufferCapacity < 1 || maxUncommitted < 1) {
            throw new IllegalArgumentException("permits, bufferCapacity and maxUncommitted must be positive");
        }
        this.tp = tp;
        this.retryTier = retryTier;
        this.permits = permits;
        this.bufferCapacity = bufferCapacity;
        this.maxUncommitted = Math.max(maxUncommitted, permits + bufferCapacity);
        this.tracker = new OffsetTracker(Math.min(1024, permits + bufferCapacity));
        this.buffer = new ArrayDeque<>(bufferCapacity);
    }

    TopicPartition topicPartition() {
        return tp;
    }

    boolean retryTier() {
        return retryTier;
    }

    /** Whether one more fetched record may be buffered (else the caller seeks back to it). */
    boolean hasRoom() {
        return !draining && !offsetsPending && buffer.size() < bufferCapacity && tracker.outstanding() < maxUncommitted;
    }

    /**
     * Takes on what the commit at {@code committedOffset} knew beyond it, from its {@code metadata}: call once, when
     * the partition is assigned and before its first record is added. Metadata that cannot be read (another tool's,
     * another version's, garbage) is logged once and ignored: every record from the committed offset on then runs.
     */
    void restore(long committedOffset, @Nullable String metadata) {
        if (tracker.lastRegistered() >= 0) {
            throw new IllegalStateException(tp + ": restore after records were added");
        }
        offsetsPending = false;
        OffsetMetadataCodec.Decoded decoded = OffsetMetadataCodec.decode(committedOffset, metadata);
        if (decoded.problem() != null) {
            log.warn("{}: ignoring the metadata committed with offset {} ({}); records from there on run even if "
                    + "they were finished", tp, committedOffset, decoded.problem());
        }
        OffsetProgress progress = decoded.progress();
        if (!progress.isEmpty()) {
            restored = progress.lookup();
            restoredEnd = progress.end();
            log.debug("{}: restored {}", tp, progress);
        }
    }

    /**
     * What the previous owner committed could not be read yet: hold the partition (nothing buffered, started or
     * fetched, pause reason {@link PauseReason#RESTORING}) until {@link #restore} or {@link #nothingCommitted}.
     */
    void awaitCommittedOffsets() {
        offsetsPending = true;
    }

    /** Whether the partition waits for its committed offset and metadata (see {@link #awaitCommittedOffsets}). */
    boolean committedOffsetsPending() {
        return offsetsPending;
    }

    /** No earlier owner committed anything for the partition: nothing to restore, its records may run. */
    void nothingCommitted() {
        offsetsPending = false;
    }

    /**
     * Registers a fetched record and buffers it - unless the previous owner finished it (see {@link #restore}):
     * then it is registered as finished at once and never started.
     *
     * @return true if buffered, false if skipped as finished
     */
    boolean add(ConsumerRecord<byte[], byte[]> record, long dueAt) {
        long offset = record.offset();
        if (firstOffset < 0) {
            firstOffset = offset;
        }
        if (offset <= tracker.lastRegistered()) {
            truncated(offset);
        }
        OffsetProgress.Lookup known = restored;
        boolean finished = known != null && known.finished(offset);
        int previousStarts = known == null || finished ? 0 : known.starts(offset);
        if (finished) {
            tracker.complete(tracker.register(offset));
            skippedFinished++;
        }
        if (known != null && offset + 1 >= restoredEnd) {
            restored = null; // fetched past all it knew: one null check per record from here on
            if (skippedFinished > 0) {
                log.info("{}: skipped {} records finished before the partition was assigned", tp, skippedFinished);
            }
        }
        if (finished) {
            return false;
        }
        long seq = tracker.register(offset, previousStarts);
        buffer.addLast(new Pending(record, seq, dueAt, previousStarts));
        buffered = buffer.size();
        return true;
    }

    /**
     * The consumer fetched {@code offset} again although records up to a higher one were fetched: the log was
     * truncated (an unclean leader election) and its position reset. Everything known at or above {@code offset}
     * is dropped together - tracked offsets, buffered records, outputs waiting for a commit, what the previous
     * owner's metadata said - and running jobs of those offsets finish unseen (their permits are given back when
     * they end); the partition continues from {@code offset}, never committing past a record below it that is
     * still unfinished.
     */
    private void truncated(long offset) {
        long last = tracker.lastRegistered();
        long[] seqs = tracker.truncate(offset);
        int droppedRunning = 0;
        for (long seq : seqs) {
            if (running.containsKey(seq)) {
                forgotten.add(seq);
                droppedRunning++;
            }
        }
        int droppedBuffered = buffer.size();
        buffer.removeIf(p -> p.record().offset() >= offset);
        droppedBuffered -= buffer.size();
        buffered = buffer.size();
        int droppedOutputs = uncommittedOutputs.size();
        uncommittedOutputs.removeIf(c -> c.offset() >= offset);
        droppedOutputs -= uncommittedOutputs.size();
        restored = null;
        log.warn("{}: offset {} fetched again after {} (log truncated, e.g. by an unclean leader election): tracking"
                + " continues from {}; dropped {} buffered records, {} outputs not yet committed and the results of {}"
                + " running jobs of the offsets from there on", tp, offset, last, offset, droppedBuffered,
                droppedOutputs, droppedRunning);
    }

    /** Records skipped since the assignment because the previous owner had finished them. */
    long skippedFinished() {
        return skippedFinished;
    }

    /** Whether a permit is free (and the partition is neither being revoked nor restoring). */
    boolean canStart() {
        return !draining && !restoring && !offsetsPending && inFlight < permits;
    }

    /**
     * Puts the partition's records under the duplicate gate, holding them (nothing starts, fetching pauses with
     * {@link PauseReason#RESTORING}) until {@link #restored()}. Call once, when the partition is assigned.
     */
    void deduplicate() {
        deduplicated = true;
        restoring = true;
    }

    /** The gate's state for the partition is ready: its records may start. */
    void restored() {
        restoring = false;
    }

    /** Whether the duplicate gate admits this partition's records. */
    boolean deduplicated() {
        return deduplicated;
    }

    /** Whether the partition waits for the gate's state (see {@link #deduplicate()}). */
    boolean restoring() {
        return restoring;
    }

    /**
     * A taken record that must not run (a later copy of a job already accepted): it is finished at once without
     * being started, like a record the previous owner finished, and so committed past with the others.
     */
    void skip(Pending pending) {
        tracker.complete(pending.seq());
    }

    /**
     * Takes the next record that may start now: the oldest buffered one, or on a retry tier the oldest one that
     * is due. Null if none.
     */
    @Nullable Pending nextReady(long now) {
        if (buffer.isEmpty()) {
            return null;
        }
        Pending next = null;
        if (!retryTier || buffer.peekFirst().dueAt() <= now) {
            next = buffer.pollFirst();
        } else {
            for (Iterator<Pending> it = buffer.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.dueAt() <= now) {
                    it.remove();
                    next = p;
                    break;
                }
            }
        }
        buffered = buffer.size();
        return next;
    }

    /** The earliest due time of a buffered record that is not yet due, or {@link Long#MAX_VALUE}. */
    long nextDueAt(long now) {
        if (!retryTier) {
            return Long.MAX_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (Pending p : buffer) {
            if (p.dueAt() > now && p.dueAt() < min) {
                min = p.dueAt();
            }
        }
        return min;
    }

    /** The record was started on {@code thread}: takes a permit and counts the start for the next commit. */
    void started(Pending pending, Thread thread) {
        tracker.started(pending.seq());
        inFlight++;
        running.put(pending.seq(), thread);
    }

    /**
     * A job of this partition ended.
     *
     * @param finished whether its outcome was acknowledged (else it was abandoned and stays unfinished)
     */
    void ended(long seq, boolean finished) {
        if (running.remove(seq) != null) {
            inFlight--;
        }
        if (!forgotten.isEmpty() && forgotten.contains(seq)) {
            if (!finished) {
                forgotten.remove(seq);
            }
            return;
        }
        if (finished) {
            tracker.complete(seq);
        }
    }

    /**
     * Stops taking and starting records (revocation or shutdown): drops the buffer, whose records stay
     * unfinished and so are never committed past.
     */
    void drain() {
        draining = true;
        buffer.clear();
        buffered = 0;
    }

    /**
     * A finished job's output waits here until a commit writes it together with the offsets (see {@link
     * OutcomeCommitter}); an empty output needs no writing.
     */
    void awaitCommit(JobCompletion finished) {
        if (!forgotten.isEmpty() && forgotten.remove(finished.seq())) {
            return; // its record was taken away by a log truncation
        }
        JobOutput output = finished.output();
        if (output != null && !output.isEmpty()) {
            uncommittedOutputs.add(finished);
        }
    }

    /** The outputs waiting for a commit, in completion order: the committer writes, replaces and removes them. */
    ArrayList<JobCompletion> uncommittedOutputs() {
        return uncommittedOutputs;
    }

    /**
     * Marks the partition abandoned: its running jobs' outputs and completions are ignored, and outputs not yet
     * committed are dropped - the records are the new owner's to run again.
     */
    void abandon() {
        drain();
        abandoned = true;
        uncommittedOutputs.clear();
        for (Thread t : running.values()) {
            t.interrupt();
        }
    }

    /** Read by job threads: the partition was revoked or the worker stopped without waiting for them. */
    boolean abandoned() {
        return abandoned;
    }

    /**
     * The partition is handed over cleanly (revocation, stop) with jobs still running: their starts are taken back
     * before the final commit, so a job whose long call outlives a few rebalances is not mistaken for one that kills
     * its worker ({@code CRASH_LOOP}). A worker that dies commits nothing more, so real crashes keep counting.
     */
    void handOverRunning() {
        for (Long seq : running.keySet()) {
            tracker.unstarted(seq);
        }
    }

    int running() {
        return running.size();
    }

    /**
     * Decides whether the partition should be fetched.
     *
     * @param gate reason from the intake gate (breaker), or null
     * @param workerCapReached whether the worker-wide cap is reached (a partition then still fills its buffer)
     * @param throttled whether calls are waiting for a rate limit (relabels permit pauses)
     * @param now current time, epoch millis
     * @return why to pause, or null to fetch
     */
    @Nullable PauseReason evaluate(@Nullable PauseReason gate, boolean workerCapReached, boolean throttled, long now) {
        if (draining) {
            return PauseReason.SHUTDOWN;
        }
        if (restoring || offsetsPending) {
            return PauseReason.RESTORING;
        }
        if (gate != null) {
            return gate;
        }
        if (tracker.outstanding() >= maxUncommitted) {
            return PauseReason.UNCOMMITTED_LIMIT;
        }
        PauseReason reason;
        if (inFlight >= permits) {
            reason = PauseReason.PERMITS;
        } else if (buffer.size() >= bufferCapacity) {
            // Called after dispatching: with permits free, a full buffer waits for the worker cap, or - on a retry
            // tier - holds only records that are not yet due.
            if (workerCapReached) {
                reason = PauseReason.WORKER_CAP;
            } else {
                return retryTier && !hasDue(now) ? PauseReason.RETRY_NOT_DUE : PauseReason.PERMITS;
            }
        } else {
            return null; // below the cap or not: keep the buffer filled, so a freed worker permit is used at once
        }
        return throttled ? PauseReason.RATE_LIMIT : reason;
    }

    private boolean hasDue(long now) {
        for (Pending p : buffer) {
            if (p.dueAt() <= now) {
                return true;
            }
        }
        return false;
    }

    void pauseReason(@Nullable PauseReason reason) {
        this.pauseReason = reason;
    }

    /**
     * What a periodic commit should write: the position with its metadata (see {@link #commitMetadata}), if the
     * position moved past what was committed or requested, or the metadata changed at the same position (a record
     * above it finished, a record started); else null. Encodes the metadata: O(outstanding).
     *
     * @param maxMetadataChars the broker's {@code offset.metadata.max.bytes}
     */
    @Nullable OffsetAndMetadata commitCandidate(int maxMetadataChars) {
        return candidate(requested != null ? requested : committed, maxMetadataChars);
    }

    /**
     * What a final, synchronous commit (revocation, shutdown) must write: anything that differs from what is known
     * to be committed, even if an asynchronous commit of it is still in flight, since that one may yet fail.
     */
    @Nullable OffsetAndMetadata finalCommitCandidate(int maxMetadataChars) {
        return candidate(committed, maxMetadataChars);
    }

    private @Nullable OffsetAndMetadata candidate(@Nullable OffsetAndMetadata last, int maxMetadataChars) {
        long position = tracker.commitPosition();
        if (position < 0 || last != null && position < last.offset()) {
            return null;
        }
        String metadata = commitMetadata(maxMetadataChars);
        if (last != null && position == last.offset() && metadata.equals(last.metadata())) {
            return null;
        }
        return new OffsetAndMetadata(position, metadata);
    }

    /**
     * The metadata for a commit at {@link #commitPosition()}: the finished records above it, the start counts of
     * its unfinished records and what was restored for records not fetched yet, in at most
     * {@code maxMetadataChars} characters (see {@link OffsetMetadataCodec}); the empty string if nothing is known.
     */
    String commitMetadata(int maxMetadataChars) {
        return OffsetMetadataCodec.encode(progress(), maxMetadataChars);
    }

    /** What is known above the commit position now (see {@link #commitMetadata}). */
    OffsetProgress progress() {
        long position = tracker.commitPosition();
        if (position < 0) {
            return OffsetProgress.none(position);
        }
        OffsetProgress.Builder progress = new OffsetProgress.Builder(position);
        tracker.describe(progress);
        OffsetProgress.Lookup known = restored;
        if (known != null) {
            known.progress().continueInto(progress, tracker.lastRegistered() + 1);
        }
        return progress.build();
    }

    /** A commit of {@code offset} was sent. */
    void commitRequested(OffsetAndMetadata offset) {
        requested = newer(requested, offset);
    }

    /** A commit of {@code offset} succeeded (requested before, or a synchronous one). */
    void commitSucceeded(OffsetAndMetadata offset) {
        committed = newer(committed, offset);
        if (requested == null || offset.offset() > requested.offset()) {
            requested = offset; // a synchronous commit went past every request
        }
    }

    /** A commit request failed: allow the next commit to ask again. */
    void commitFailed() {
        requested = committed;
    }

    /**
     * The position to commit if it moved past what was committed or requested, else -1; ignores the metadata.
     * Superseded by {@link #commitCandidate(int)} once the committer writes metadata.
     */
    long commitCandidate() {
        long position = tracker.commitPosition();
        return position > Math.max(offsetOf(committed), offsetOf(requested)) ? position : -1;
    }

    /**
     * The position a final, synchronous commit (revocation, shutdown) must write: anything past what is known to
     * be committed, even if an asynchronous commit of it is still in flight, since that one may yet fail; ignores
     * the metadata. Superseded by {@link #finalCommitCandidate(int)} once the committer writes metadata.
     */
    long finalCommitCandidate() {
        long position = tracker.commitPosition();
        return position > offsetOf(committed) ? position : -1;
    }

    /** A commit of {@code position} without metadata was sent. */
    void commitRequested(long position) {
        commitRequested(new OffsetAndMetadata(position));
    }

    /** A commit of {@code position} without metadata succeeded. */
    void commitSucceeded(long position) {
        commitSucceeded(new OffsetAndMetadata(position));
    }

    /** The later of two commits: the higher offset, or at the same offset the more recent one. */
    private static OffsetAndMetadata newer(@Nullable OffsetAndMetadata current, OffsetAndMetadata offset) {
        return current == null || offset.offset() >= current.offset() ? offset : current;
    }

    private static long offsetOf(@Nullable OffsetAndMetadata offset) {
        return offset == null ? -1 : offset.offset();
    }

    /**
     * About how many records of this ownership finished but are not known to be committed: the offsets from the
     * committed position (or the first record fetched) up to the commit position, plus the records finished above
     * it. For logs when a commit fails; O(outstanding).
     */
    long finishedUncommitted() {
        long position = tracker.commitPosition();
        if (position < 0 || firstOffset < 0) {
            return 0;
        }
        long from = Math.max(firstOffset, offsetOf(committed));
        long count = Math.max(0, position - from);
        OffsetProgress progress = progress();
        long fetchedEnd = tracker.lastRegistered() + 1;
        for (int i = 0; i < progress.finishedRanges(); i++) {
            long to = Math.min(progress.finishedTo(i), fetchedEnd);
            count += Math.max(0, to - Math.max(progress.finishedFrom(i), from));
        }
        return count;
    }

    /** The committable position right now (see {@link OffsetTracker#commitPosition()}). */
    long commitPosition() {
        return tracker.commitPosition();
    }

    int outstanding() {
        return tracker.outstanding();
    }

    @Override
    public String topic() {
        return tp.topic();
    }

    @Override
    public int partition() {
        return tp.partition();
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public int freePermits() {
        return Math.max(0, permits - inFlight);
    }

    @Override
    public int buffered() {
        return buffered;
    }

    @Override
    public @Nullable PauseReason pauseReason() {
        return pauseReason;
    }

    @Override
    public String toString() {
        return tp + "[inFlight=" + inFlight + ", buffered=" + buffered + ", outstanding=" + tracker.outstanding()
                + ", paused=" + pauseReason + "]";
    }
}
