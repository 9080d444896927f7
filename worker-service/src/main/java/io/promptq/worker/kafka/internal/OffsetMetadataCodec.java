package io.promptq.worker.kafka.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * Writes an {@link OffsetProgress} into the metadata string of a commit ({@code OffsetAndMetadata.metadata()}) and
 * reads it back when a partition is assigned, so that records finished above the committed position are not run
 * again by the next owner, and start counts survive a crash of the worker that ran the job.
 *
 * <p><b>Format</b> (version 1): the text prefix {@value #PREFIX}, then the unpadded standard base64 of
 * <pre>
 *   varint  position            the committed offset the rest is relative to (checked on reading)
 *   byte    finished encoding   0 = none, 1 = run lengths, 2 = bitset
 *   ...     finished offsets    run lengths: varint n, then n varint runs, alternately unfinished and finished,
 *                               the first (unfinished, possibly 0) starting at the position;
 *                               bitset: varint bits, then ceil(bits / 8) bytes, bit i (LSB first) set when
 *                               position + i is finished
 *   varint  k                   start counts, then k pairs:
 *   varint  offset delta        from the position for the first, from the previous offset (at least 1) after
 *   varint  count               starts without an outcome, at least 1
 * </pre>
 * Varints are unsigned LEB128 (7 bits a byte, low groups first). Offsets the encoding does not cover - past its last
 * finished run or bit - are unfinished. Run lengths and the bitset are both computed, and the smaller is written
 * (run lengths win for clustered completions, the bitset for scattered ones; Parallel Consumer's
 * {@code OffsetSimultaneousEncoder} does the same). Nothing to say encodes as the empty string.
 *
 * <p><b>Limits</b>: the string never exceeds {@code maxChars} (the broker's {@code offset.metadata.max.bytes},
 * {@value #DEFAULT_MAX_CHARS} by default; a larger string would fail the whole commit). When it would, the finished
 * offsets give way first: they are cut from the highest down (whichever of run lengths or bitset then covers more)
 * or dropped - correctness is kept, those records just run again - while the start counts are kept as long as they
 * fit (from the lowest offset up). For scale: 10,000 finished offsets in any pattern fit as a bitset in about
 * 1,700 characters.
 *
 * <p><b>Robustness</b>: {@link #decode} never throws. A null or empty string means nothing is known; a string of
 * another tool, another version ({@code pq2:...}), written for another committed offset, truncated or otherwise
 * malformed decodes to nothing known, with the reason in {@link Decoded#problem()} for the caller to log once.
 *
 * <p>Stateless; every method is thread-safe.
 */
final class OffsetMetadataCodec {

    /** Marks a metadata string as promptq's offset progress, version 1. */
    static final String PREFIX = "pq1:";

    /** The broker's default {@code offset.metadata.max.bytes}. */
    static final int DEFAULT_MAX_CHARS = 4096;

    private static final byte NO_FINISHED = 0;
    private static final byte RUN_LENGTHS = 1;
    private static final byte BITSET = 2;
    private static final int EXCERPT = 24;

    /** What a metadata string said, and why it said nothing if it could not be read. */
    record Decoded(OffsetProgress progress, @Nullable String problem) {}

    private OffsetMetadataCodec() {}

    /**
     * Encodes {@code progress} into at most {@code maxChars} characters; the empty string if there is nothing to
     * say (or not even the header fits).
     */
    static String encode(OffsetProgress progress, int maxChars) {
        if (progress.isEmpty()) {
            return "";
        }
        int budget = (int) (Math.max(0L, (long) maxChars - PREFIX.length()) * 3 / 4); // base64: 4 chars per 3 bytes
        int header = varintSize(progress.position()) + 1;
        if (header + 1 > budget) {
            return "";
        }
        int starts = 0; // the lowest start counts that fit
        int entriesSize = 0;
        long previousStart = progress.position();
        for (int i = 0; i < progress.startEntries(); i++) {
            int entry = varintSize(progress.startOffset(i) - previousStart) + varintSize(progress.startCount(i));
            if (header + varintSize(i + 1) + entriesSize + entry > budget) {
                break;
            }
            entriesSize += entry;
            starts = i + 1;
            previousStart = progress.startOffset(i);
        }
        int startsSize = varintSize(starts) + entriesSize;
        Finished finished = Finished.choose(progress, budget - header - startsSize);
        if (finished.kind == NO_FINISHED && starts == 0) {
            return "";
        }
        ByteBuffer out = ByteBuffer.allocate(header + finished.size + startsSize);
        putVarint(out, progress.position());
        out.put(finished.kind);
        finished.write(progress, out);
        putVarint(out, starts);
        long previous = progress.position();
        for (int i = 0; i < starts; i++) {
            putVarint(out, progress.startOffset(i) - previous);
            putVarint(out, progress.startCount(i));
            previous = progress.startOffset(i);
        }
        return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(out.array());
    }

    /**
     * Decodes the metadata committed with {@code committedOffset}; never throws. Anything unreadable decodes to
     * nothing known, with a problem to log.
     */
    static Decoded decode(long committedOffset, @Nullable String metadata) {
        OffsetProgress none = OffsetProgress.none(committedOffset);
        if (metadata == null || metadata.isEmpty()) {
            return new Decoded(none, null);
        }
        if (!metadata.startsWith(PREFIX)) {
            return new Decoded(none, "not promptq's offset progress (version 1): \"" + excerpt(metadata) + "\"");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(metadata.substring(PREFIX.length())));
            long position = getVarint(in);
            if (position != committedOffset) {
                return new Decoded(none, "written for offset " + position + ", not for the committed offset "
                        + committedOffset);
            }
            OffsetProgress.Builder builder = new OffsetProgress.Builder(position);
            byte kind = in.get();
            switch (kind) {
                case NO_FINISHED -> { }
                case RUN_LENGTHS -> readRuns(in, builder, position);
                case BITSET -> readBits(in, builder, position);
                default -> throw new IllegalArgumentException("unknown finished encoding " + kind);
            }
            readStarts(in, builder, position);
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " trailing bytes");
            }
            return new Decoded(builder.build(), null);
        } catch (RuntimeException e) { // malformed base64, truncated, overflowing or out of order: all the same
            String why = e instanceof BufferUnderflowException ? "truncated" : String.valueOf(e.getMessage());
            return new Decoded(none, "malformed (" + why + "): \"" + excerpt(metadata) + "\"");
        }
    }

    // ------------------------------------------------------------------ finished offsets

    /** The finished-offset section chosen for a budget: its kind, size in bytes and how much of it to write. */
    private record Finished(byte kind, int size, int runs, long bits) {

        private static final Finished NONE = new Finished(NO_FINISHED, 0, 0, 0);

        /** The smallest complete encoding that fits {@code budget} bytes, else the one that covers the most. */
        static Finished choose(OffsetProgress p, int budget) {
            int ranges = p.finishedRanges();
            if (ranges == 0 || budget <= 0) {
                return NONE;
            }
            long coverage = p.finishedTo(ranges - 1) - p.position();
            long runsSize = varintSize(2L * ranges);
            long previous = p.position();
            for (int i = 0; i < ranges; i++) {
                runsSize += varintSize(p.finishedFrom(i) - previous) + varintSize(p.finishedTo(i) - p.finishedFrom(i));
                previous = p.finishedTo(i);
            }
            long bitsSize = varintSize(coverage) + (coverage + 7) / 8;
            if (Math.min(runsSize, bitsSize) <= budget) {
                return runsSize <= bitsSize ? new Finished(RUN_LENGTHS, (int) runsSize, 2 * ranges, 0)
                        : new Finished(BITSET, (int) bitsSize, 0, coverage);
            }
            return truncated(p, budget);
        }

        /** Too large: the prefix of the finished offsets that fits, as runs or bits, whichever covers more. */
        private static Finished truncated(OffsetProgress p, int budget) {
            int countSize = varintSize(2L * p.finishedRanges());
            int runsSize = countSize;
            int pairs = 0;
            long runsCoverage = 0;
            long previous = p.position();
            for (int i = 0; i < p.finishedRanges(); i++) {
                int pair = varintSize(p.finishedFrom(i) - previous)
                        + varintSize(p.finishedTo(i) - p.finishedFrom(i));
                if (runsSize + pair > budget) {
                    break;
                }
                runsSize += pair;
                pairs++;
                runsCoverage = p.finishedTo(i) - p.position();
                previous = p.finishedTo(i);
            }
            long bytes = budget - varintSize(8L * budget);
            long bits = Math.min(bytes * 8, p.finishedTo(p.finishedRanges() - 1) - p.position());
            if (bits <= p.finishedFrom(0) - p.position()) {
                bits = 0; // would cover no finished offset
            }
            if (bits <= 0 && pairs == 0) {
                return NONE;
            }
            if (bits > runsCoverage) {
                return new Finished(BITSET, varintSize(bits) + (int) ((bits + 7) / 8), 0, bits);
            }
            return new Finished(RUN_LENGTHS, varintSize(2L * pairs) + runsSize - countSize, 2 * pairs, 0);
        }

        void write(OffsetProgress p, ByteBuffer out) {
            switch (kind) {
                case RUN_LENGTHS -> {
                    putVarint(out, runs);
                    long previous = p.position();
                    for (int i = 0; i < runs / 2; i++) {
                        putVarint(out, p.finishedFrom(i) - previous);
                        putVarint(out, p.finishedTo(i) - p.finishedFrom(i));
                        previous = p.finishedTo(i);
                    }
                }
                case BITSET -> {
                    putVarint(out, bits);
                    int base = out.position();
                    int bytes = (int) ((bits + 7) / 8);
                    out.position(base + bytes); // the buffer is zeroed: set the finished bits only
                    for (int i = 0; i < p.finishedRanges(); i++) {
                        long from = p.finishedFrom(i) - p.position();
                        long to = Math.min(bits, p.finishedTo(i) - p.position());
                        for (long bit = from; bit < to; bit++) {
                            int at = base + (int) (bit >>> 3);
                            out.put(at, (byte) (out.get(at) | (1 << (bit & 7))));
                        }
                    }
                }
                default -> { }
            }
        }
    }

    private static void readRuns(ByteBuffer in, OffsetProgress.Builder builder, long position) {
        long runs = getVarint(in);
        if (runs > in.remaining()) {
            throw new IllegalArgumentException(runs + " runs in " + in.remaining() + " bytes");
        }
        long offset = position;
        for (long i = 0; i < runs; i++) {
            long run = getVarint(in);
            if (run < 0) {
                throw new IllegalArgumentException("run length out of range");
            }
            long next = Math.addExact(offset, run);
            if ((i & 1) == 1) {
                builder.finished(offset, next);
            }
            offset = next;
        }
    }

    private static void readBits(ByteBuffer in, OffsetProgress.Builder builder, long position) {
        long bits = getVarint(in);
        if (bits < 0 || (bits + 7) / 8 > in.remaining()) {
            throw new IllegalArgumentException(bits + " bits in " + in.remaining() + " bytes");
        }
        int base = in.position();
        long runStart = -1;
        for (long bit = 0; bit < bits; bit++) {
            boolean set = (in.get(base + (int) (bit >>> 3)) & (1 << (bit & 7))) != 0;
            if (set && runStart < 0) {
                runStart = bit;
            } else if (!set && runStart >= 0) {
                builder.finished(position + runStart, position + bit);
                runStart = -1;
            }
        }
        if (runStart >= 0) {
            builder.finished(position + runStart, position + bits);
        }
        in.position(base + (int) ((bits + 7) / 8));
    }

    private static void readStarts(ByteBuffer in, OffsetProgress.Builder builder, long position) {
        long entries = getVarint(in);
        if (entries < 0 || entries > in.remaining() / 2) {
            throw new IllegalArgumentException(entries + " start counts in " + in.remaining() + " bytes");
        }
        long offset = position;
        for (long i = 0; i < entries; i++) {
            long delta = getVarint(in);
            if (delta < 0 || (i > 0 && delta == 0)) {
                throw new IllegalArgumentException("start count offsets out of order");
            }
            offset = Math.addExact(offset, delta);
            long count = getVarint(in);
            if (count < 1 || count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("start count out of range: " + count);
            }
            builder.starts(offset, (int) count);
        }
    }

    // ------------------------------------------------------------------ varints and sizes

    /** Bytes of {@code value} as an unsigned LEB128 varint. */
    static int varintSize(long value) {
        return value == 0 ? 1 : (64 - Long.numberOfLeadingZeros(value) + 6) / 7;
    }

    private static void putVarint(ByteBuffer out, long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    private static long getVarint(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than 64 bits");
    }

    private static String excerpt(String metadata) {
        return metadata.length() <= EXCERPT ? metadata : metadata.substring(0, EXCERPT) + "...";
    }
}
