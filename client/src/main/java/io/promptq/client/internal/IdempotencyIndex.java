package io.promptq.client.internal;

import io.promptq.client.SubmitReceipt;
import io.promptq.topic.PayloadHash;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What a client knows about keyed jobs: for a job id, the payload hash accepted first and where that copy is. It
 * learns from two sources: the submissions of this client itself ({@link #claim}, so that concurrent submits of one
 * key through one client agree at once) and the idempotency ledger written by the workers ({@link #learn}, so that
 * resubmissions through any client are answered after the first copy was seen by a worker). A ledger entry wins
 * over what this client wrote: the worker runs the copy it recorded.
 *
 * <p>Entries older than the idempotency window count as unknown and are dropped; at most {@code maxKeys} are
 * kept, the first inserted (about the oldest) dropped first. Thread-safe: one lock, held for map operations only
 * (futures complete outside it); keyed submissions and the ledger reader are its only callers.
 */
public final class IdempotencyIndex {

    private final long windowMillis;
    private final int maxKeys;
    private final Clock clock;
    private final String jobsTopic;
    /** Insertion order, which is about acceptance order: the head is the oldest. Guarded by {@code this}. */
    private final LinkedHashMap<UUID, Known> known = new LinkedHashMap<>();

    /**
     * @param window how long after its acceptance an entry answers resubmissions
     * @param maxKeys the most entries kept
     * @param jobsTopic the topic named in receipts of ledger-learned duplicates
     */
    public IdempotencyIndex(Duration window, int maxKeys, Clock clock, String jobsTopic) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, but was " + maxKeys);
        }
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.jobsTopic = Objects.requireNonNull(jobsTopic, "jobsTopic");
    }

    /** What to do with a keyed submission. */
    public sealed interface Claim permits Write, Duplicate, Conflict {}

    /**
     * The key is unknown: write the job, then report the outcome with {@link #written} or {@link #notWritten}.
     * Until then, concurrent submissions of the same job wait for this one.
     */
    public record Write(Pending pending) implements Claim {}

    /** The same payload is known: answer with this receipt of the first copy (pending while it is being written). */
    public record Duplicate(CompletableFuture<SubmitReceipt> receipt) implements Claim {}

    /** Another payload is known under this key: refuse. */
    public record Conflict(PayloadHash known) implements Claim {}

    /**
     * Decides about a keyed submission of {@code jobId} with {@code hash}, and reserves the key when it is unknown.
     *
     * @param acceptedAtMillis when the submission was made (its {@code submittedAt}); the window of a written job
     *     runs from here
     */
    public Claim claim(UUID jobId, PayloadHash hash, long acceptedAtMillis) {
        Known entry;
        synchronized (this) {
            long now = clock.millis();
            expire(now);
            entry = live(jobId, now);
            if (entry == null) {
                Pending pending = new Pending(jobId, hash, acceptedAtMillis, new CompletableFuture<>());
                insert(jobId, pending);
                return new Write(pending);
            }
        }
        if (!entry.hash().equals(hash)) {
            return new Conflict(entry.hash());
        }
        return new Duplicate(switch (entry) {
            case Pending pending -> pending.first().thenApply(SubmitReceipt::asDuplicate);
            case Accepted accepted -> CompletableFuture.completedFuture(
                    new SubmitReceipt(jobId.toString(), jobsTopic, accepted.partition(), accepted.offset(), true));
        });
    }

    /** The job of {@code pending} was acknowledged at {@code receipt}'s position; waiting duplicates get it too. */
    public void written(Pending pending, SubmitReceipt receipt) {
        synchronized (this) {
            if (known.get(pending.jobId()) == pending) {
                known.put(pending.jobId(), new Accepted(pending.hash(), pending.acceptedAtMillis(), receipt.partition(),
                        receipt.offset()));
            }
        }
        pending.first().complete(receipt);
    }

    /** The job of {@code pending} was not written (or its outcome is unknown): forget it; waiting duplicates fail too. */
    public void notWritten(Pending pending, Throwable error) {
        synchronized (this) {
            known.remove(pending.jobId(), pending);
        }
        pending.first().completeExceptionally(error);
    }

    /**
     * Records a ledger entry: the first copy of {@code jobId}, with {@code hash}, accepted at {@code acceptedAtMillis}
     * at {@code partition}/{@code offset} of the jobs topic. Entries already outside the window are ignored.
     */
    public void learn(UUID jobId, PayloadHash hash, long acceptedAtMillis, int partition, long offset) {
        synchronized (this) {
            long now = clock.millis();
            if (expired(acceptedAtMillis, now)) {
                return;
            }
            Accepted entry = new Accepted(hash, acceptedAtMillis, partition, offset);
            if (known.containsKey(jobId)) {
                known.put(jobId, entry);
            } else {
                insert(jobId, entry);
            }
            expire(now);
        }
    }

    /** Forgets {@code jobId} (a ledger tombstone), unless this client is writing it right now. */
    public synchronized void forget(UUID jobId) {
        if (!(known.get(jobId) instanceof Pending)) {
            known.remove(jobId);
        }
    }

    /** Entries held, including expired ones not dropped yet. */
    public synchronized int size() {
        return known.size();
    }

    private void insert(UUID jobId, Known entry) {
        known.put(jobId, entry);
        if (known.size() > maxKeys) {
            Iterator<UUID> oldest = known.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private Known live(UUID jobId, long now) {
        Known entry = known.get(jobId);
        if (entry instanceof Accepted && expired(entry.acceptedAtMillis(), now)) {
            known.remove(jobId);
            return null;
        }
        return entry;
    }

    /** Drops expired entries from the head; stops at the first live one (order is only about acceptance order). */
    private void expire(long now) {
        Iterator<Map.Entry<UUID, Known>> it = known.entrySet().iterator();
        while (it.hasNext()) {
            Known entry = it.next().getValue();
            if (!expired(entry.acceptedAtMillis(), now) || entry instanceof Pending) {
                return;
            }
            it.remove();
        }
    }

    private boolean expired(long acceptedAtMillis, long now) {
        return now - acceptedAtMillis >= windowMillis;
    }

    private sealed interface Known permits Pending, Accepted {
        PayloadHash hash();

        long acceptedAtMillis();
    }

    /** A job this client is writing; {@code first} completes with its receipt or its failure. */
    public record Pending(UUID jobId, PayloadHash hash, long acceptedAtMillis, CompletableFuture<SubmitReceipt> first)
            implements Known {}

    private record Accepted(PayloadHash hash, long acceptedAtMillis, int partition, long offset) implements Known {}
}
