package io.promptq.worker.kafka.internal;

import java.util.Arrays;

/**
 * Which offsets of one partition are finished, and so how far the partition may be committed.
 *
 * <p>Records are registered in offset order when fetched and finish in any order. The tracker keeps the
 * registered-but-not-yet-committable records in a ring indexed by a per-partition sequence number, so that
 * {@link #register} and {@link #complete} are O(1) (amortised: completing the oldest record pops every finished
 * record behind it) and {@link #commitPosition()} is O(1). Offsets may have gaps (compaction, transaction
 * markers); the committable position is the lowest unfinished offset, or one past the highest registered
 * offset when every registered record is finished. The ring grows when needed; its size is bounded by the
 * caller (records outstanding per partition).
 *
 * <p>Each registered record also carries its start count - how often it was started without an outcome, the
 * previous owners' starts included - until it finishes. {@link #describe} writes the finished records above the
 * commit position and the start counts of the unfinished ones into an {@link OffsetProgress}, for the commit's
 * metadata; it is the only O(outstanding) operation, and runs once per commit, not per record.
 *
 * <p>Not thread-safe: owned by the poll thread.
 */
final class OffsetTracker {

    private static final int INITIAL_CAPACITY = 64;

    private long[] offsets;
    private boolean[] done;
    /** Forgotten by {@link #truncate}: counts as finished for the head, never for the position or metadata. */
    private boolean[] gone;
    private int[] starts;
    private int mask;
    /** Sequence number of the oldest unfinished record (the ring's head). */
    private long head;
    /** Sequence number the next registered record gets. */
    private long tail;
    private long lastRegistered = -1;

    OffsetTracker() {
        this(INITIAL_CAPACITY);
    }

    OffsetTracker(int initialCapacity) {
        int capacity = Integer.highestOneBit(Math.max(2, initialCapacity - 1)) << 1;
        offsets = new long[capacity];
        done = new boolean[capacity];
        gone = new boolean[capacity];
        starts = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * Registers a fetched record; offsets must increase.
     *
     * @return the record's sequence number, to pass to {@link #complete}
     */
    long register(long offset) {
        return register(offset, 0);
    }

    /**
     * Registers a fetched record that was started {@code previousStarts} times before (by earlier owners of the
     * partition) without an outcome; offsets must increase (after a {@link #truncate}, from its offset on).
     *
     * @return the record's sequence number, to pass to {@link #started} and {@link #complete}
     */
    long register(long offset, int previousStarts) {
        if (offset <= lastRegistered) {
            throw new IllegalArgumentException("offsets must be registered in increasing order: " + offset
                    + " after " + lastRegistered);
        }
        if (tail - head == offsets.length) {
            grow();
        }
        int slot = (int) (tail & mask);
        offsets[slot] = offset;
        done[slot] = false;
        gone[slot] = false;
        starts[slot] = previousStarts;
        lastRegistered = offset;
        return tail++;
    }

    /**
     * Counts a start of the record with sequence number {@code seq}; nothing if it is unknown or finished.
     *
     * @return its start count now, 0 if nothing was counted
     */
    int started(long seq) {
        if (seq < head || seq >= tail) {
            return 0;
        }
        int slot = (int) (seq & mask);
        return done[slot] ? 0 : ++starts[slot];
    }

    /**
     * Takes back the start of the running record {@code seq}: it is handed over cleanly (revocation, stop), not
     * dying with its worker, so it must not count towards a crash loop.
     */
    void unstarted(long seq) {
        if (seq < head || seq >= tail) {
            return;
        }
        int slot = (int) (seq & mask);
        if (!done[slot] && starts[slot] > 0) {
            starts[slot]--;
        }
    }

    /**
     * Marks the record with sequence number {@code seq} finished.
     *
     * @return false if {@code seq} is unknown or already finished (nothing changes)
     */
    boolean complete(long seq) {
        if (seq < head || seq >= tail) {
            return false;
        }
        int slot = (int) (seq & mask);
        if (done[slot]) {
            return false; // finished before, or forgotten by a truncation
        }
        done[slot] = true;
        while (head < tail && done[(int) (head & mask)]) {
            head++;
        }
        return true;
    }

    /**
     * The offset to commit: the lowest unfinished offset, or one past the highest registered offset when all are
     * finished; -1 when nothing was ever registered.
     */
    long commitPosition() {
        if (head < tail) {
            return offsets[(int) (head & mask)];
        }
        return lastRegistered < 0 ? -1 : lastRegistered + 1;
    }

    /**
     * Forgets every registered record at or above {@code fromOffset}: the partition's log was truncated (an unclean
     * leader election) and the consumer fetches again from there, so those offsets may hold other records now.
     * Their sequence numbers stay unknown ({@link #complete} returns false for them, nothing reuses them); records
     * below stay as they are, so the position never passes an unfinished one. Registration continues at
     * {@code fromOffset}. O(forgotten).
     *
     * @return the sequence numbers forgotten, oldest first
     */
    long[] truncate(long fromOffset) {
        int count = 0;
        long s = tail - 1;
        for (; s >= head; s--) {
            int slot = (int) (s & mask);
            if (!gone[slot] && offsets[slot] < fromOffset) {
                break;
            }
        }
        long first = s + 1;
        long[] forgotten = new long[(int) (tail - first)];
        for (long q = first; q < tail; q++) {
            int slot = (int) (q & mask);
            if (!gone[slot]) {
                forgotten[count++] = q;
                gone[slot] = true;
                done[slot] = true;
            }
        }
        while (head < tail && done[(int) (head & mask)]) {
            head++;
        }
        lastRegistered = Math.min(lastRegistered, fromOffset - 1);
        return Arrays.copyOf(forgotten, count);
    }

    /** The highest offset registered, -1 if none. */
    long lastRegistered() {
        return lastRegistered;
    }

    /**
     * Adds what is known above the commit position to {@code progress} (created at {@link #commitPosition()}):
     * the finished records as finished ranges - with the offsets between registered records, which do not exist
     * (compaction, transaction markers) and so need no run - and the start counts of the unfinished records.
     * O(outstanding).
     */
    void describe(OffsetProgress.Builder progress) {
        long gapFrom = -1;
        for (long s = head; s < tail; s++) {
            int slot = (int) (s & mask);
            if (gone[slot]) {
                continue;
            }
            long offset = offsets[slot];
            if (gapFrom >= 0) {
                progress.finished(gapFrom, offset);
            }
            if (done[slot]) {
                progress.finished(offset, offset + 1);
            } else {
                progress.starts(offset, starts[slot]);
            }
            gapFrom = offset + 1;
        }
    }

    /** Registered records not yet committable: the unfinished ones and the finished ones behind them. */
    int outstanding() {
        return (int) (tail - head);
    }

    private void grow() {
        int capacity = offsets.length << 1;
        long[] newOffsets = new long[capacity];
        boolean[] newDone = new boolean[capacity];
        boolean[] newGone = new boolean[capacity];
        int[] newStarts = new int[capacity];
        int newMask = capacity - 1;
        for (long s = head; s < tail; s++) {
            newOffsets[(int) (s & newMask)] = offsets[(int) (s & mask)];
            newDone[(int) (s & newMask)] = done[(int) (s & mask)];
            newGone[(int) (s & newMask)] = gone[(int) (s & mask)];
            newStarts[(int) (s & newMask)] = starts[(int) (s & mask)];
        }
        offsets = newOffsets;
        done = newDone;
        gone = newGone;
        starts = newStarts;
        mask = newMask;
    }
}
