package io.promptq.worker.kafka.internal;

import java.util.Arrays;

/**
 * What is known about one partition's offsets at and above a commit position: which of them are finished (a new
 * owner must not run them again) and how often unfinished ones were started without an outcome (so that a job
 * which keeps killing its worker can be recognised). It is what a commit's offset metadata carries; see
 * {@link OffsetMetadataCodec} for the wire format.
 *
 * <p>Finished offsets are held as sorted, disjoint, non-adjacent half-open ranges {@code [from, to)}; every offset
 * outside them - in particular every offset past the last range - is unfinished. A range may include offsets that
 * do not exist in the partition (compacted away, transaction markers): nothing there needs to run. Start counts are
 * held for unfinished offsets, in increasing offset order, each at least 1.
 *
 * <p>Immutable. Queries in increasing offset order - the order records are fetched in - go through a
 * {@link #lookup()} cursor and cost O(1) amortised; nothing is allocated per query.
 */
final class OffsetProgress {

    private static final long[] NO_LONGS = {};
    private static final int[] NO_INTS = {};

    private final long position;
    /** Finished ranges: {@code [bounds[2i], bounds[2i + 1])}. */
    private final long[] bounds;
    private final long[] startOffsets;
    private final int[] startCounts;

    private OffsetProgress(long position, long[] bounds, long[] startOffsets, int[] startCounts) {
        this.position = position;
        this.bounds = bounds;
        this.startOffsets = startOffsets;
        this.startCounts = startCounts;
    }

    /** Nothing known above {@code position}: every record from there on runs. */
    static OffsetProgress none(long position) {
        return new OffsetProgress(position, NO_LONGS, NO_LONGS, NO_INTS);
    }

    /** The commit position this is relative to: the lowest offset that may be unfinished. */
    long position() {
        return position;
    }

    /** Whether nothing is known: no finished offsets, no start counts. */
    boolean isEmpty() {
        return bounds.length == 0 && startOffsets.length == 0;
    }

    /** One past the highest offset this says anything about; {@link #position()} if empty. */
    long end() {
        long end = position;
        if (bounds.length > 0) {
            end = bounds[bounds.length - 1];
        }
        if (startOffsets.length > 0) {
            end = Math.max(end, startOffsets[startOffsets.length - 1] + 1);
        }
        return end;
    }

    int finishedRanges() {
        return bounds.length / 2;
    }

    /** First offset of finished range {@code i}. */
    long finishedFrom(int i) {
        return bounds[2 * i];
    }

    /** One past the last offset of finished range {@code i}. */
    long finishedTo(int i) {
        return bounds[2 * i + 1];
    }

    int startEntries() {
        return startOffsets.length;
    }

    long startOffset(int i) {
        return startOffsets[i];
    }

    int startCount(int i) {
        return startCounts[i];
    }

    /** Whether {@code offset} is finished; O(log ranges). For queries in offset order use {@link #lookup()}. */
    boolean isFinished(long offset) {
        int i = Arrays.binarySearch(bounds, offset);
        // An exact hit on an even index is a range start (finished); on an odd index a range end (exclusive).
        // Otherwise the insertion point is odd exactly when offset lies inside a range.
        return i >= 0 ? (i & 1) == 0 : ((-i - 1) & 1) == 1;
    }

    /** How often {@code offset} was started without an outcome; 0 if unknown. O(log entries). */
    int startsOf(long offset) {
        int i = Arrays.binarySearch(startOffsets, offset);
        return i >= 0 ? startCounts[i] : 0;
    }

    /** A cursor for queries in increasing offset order. */
    Lookup lookup() {
        return new Lookup();
    }

    /**
     * Appends what this says about offsets at and above {@code from} to {@code builder}: how a commit carries on
     * knowledge restored from the previous one for records not fetched yet.
     */
    void continueInto(Builder builder, long from) {
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i + 1] > from) {
                builder.finished(Math.max(from, bounds[i]), bounds[i + 1]);
            }
        }
        for (int i = 0; i < startOffsets.length; i++) {
            if (startOffsets[i] >= from) {
                builder.starts(startOffsets[i], startCounts[i]);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OffsetProgress p && position == p.position && Arrays.equals(bounds, p.bounds)
                && Arrays.equals(startOffsets, p.startOffsets) && Arrays.equals(startCounts, p.startCounts);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(position) * 31 + Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("OffsetProgress[position=").append(position).append(", finished=");
        for (int i = 0; i < bounds.length && i < 40; i += 2) {
            b.append(i == 0 ? "" : " ").append('[').append(bounds[i]).append(',').append(bounds[i + 1]).append(')');
        }
        b.append(bounds.length > 40 ? " ..." : "").append(", starts={");
        for (int i = 0; i < startOffsets.length && i < 20; i++) {
            b.append(i == 0 ? "" : ", ").append(startOffsets[i]).append('=').append(startCounts[i]);
        }
        return b.append(startOffsets.length > 20 ? ", ...}]" : "}]").toString();
    }

    /**
     * Answers queries in non-decreasing offset order by walking the ranges and start counts once: O(1) amortised
     * per query. A query below an earlier one may answer wrongly. Not thread-safe.
     */
    final class Lookup {

        private int range;
        private int start;

        /** Whether {@code offset} is finished. */
        boolean finished(long offset) {
            while (range < bounds.length && bounds[range + 1] <= offset) {
                range += 2;
            }
            return range < bounds.length && bounds[range] <= offset;
        }

        /** How often {@code offset} was started without an outcome; 0 if unknown. */
        int starts(long offset) {
            while (start < startOffsets.length && startOffsets[start] < offset) {
                start++;
            }
            return start < startOffsets.length && startOffsets[start] == offset ? startCounts[start] : 0;
        }

        /** The progress this walks. */
        OffsetProgress progress() {
            return OffsetProgress.this;
        }
    }

    /**
     * Collects an {@link OffsetProgress} in increasing offset order. Finished ranges that touch are merged; empty
     * ones are ignored. O(1) amortised per call.
     */
    static final class Builder {

        private final long position;
        private long[] bounds = new long[8];
        private int boundsSize;
        private long[] startOffsets = NO_LONGS;
        private int[] startCounts = NO_INTS;
        private int startsSize;

        /** @param position the commit position: no offset below it may be added */
        Builder(long position) {
            this.position = position;
        }

        /**
         * Adds the finished offsets {@code [from, to)}; {@code from} must not be below the end of the previous range
         * nor below the position.
         */
        Builder finished(long from, long to) {
            if (to <= from) {
                return this;
            }
            long previousEnd = boundsSize == 0 ? position : bounds[boundsSize - 1];
            if (from < previousEnd) {
                throw new IllegalArgumentException("finished ranges must be added in increasing order at or above "
                        + "the position: [" + from + ", " + to + ") after " + previousEnd);
            }
            if (boundsSize > 0 && from == previousEnd) {
                bounds[boundsSize - 1] = to;
                return this;
            }
            if (boundsSize == bounds.length) {
                bounds = Arrays.copyOf(bounds, boundsSize * 2);
            }
            bounds[boundsSize++] = from;
            bounds[boundsSize++] = to;
            return this;
        }

        /**
         * Records that the unfinished {@code offset} was started {@code count} times; offsets must increase, a count
         * of 0 is ignored.
         */
        Builder starts(long offset, int count) {
            if (count < 0) {
                throw new IllegalArgumentException("start count must not be negative, but was " + count);
            }
            if (count == 0) {
                return this;
            }
            long previous = startsSize == 0 ? position - 1 : startOffsets[startsSize - 1];
            if (offset <= previous) {
                throw new IllegalArgumentException("start counts must be added in increasing offset order at or "
                        + "above the position: " + offset + " after " + previous);
            }
            if (startsSize == startOffsets.length) {
                int capacity = Math.max(8, startsSize * 2);
                startOffsets = Arrays.copyOf(startOffsets, capacity);
                startCounts = Arrays.copyOf(startCounts, capacity);
            }
            startOffsets[startsSize] = offset;
            startCounts[startsSize++] = count;
            return this;
        }

        OffsetProgress build() {
            if (boundsSize == 0 && startsSize == 0) {
                return none(position);
            }
            return new OffsetProgress(position, Arrays.copyOf(bounds, boundsSize),
                    Arrays.copyOf(startOffsets, startsSize), Arrays.copyOf(startCounts, startsSize));
        }
    }
}
