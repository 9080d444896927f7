package io.promptq.aggregator.stats;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.promptq.schema.LatencyStats;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Latency samples of one aggregate: exact count, sum, min and max, plus a DDSketch for the percentiles.
 * DDSketch is mergeable (merging the sketches of two sets equals the sketch of their union, bin by bin),
 * so windows, partitions and instances combine without losing accuracy, and each percentile is within
 * {@link StatsAggregate#RELATIVE_ACCURACY} relative error of the exact sample at its rank.
 *
 * <p>Because a state store (de)serializes the aggregate on every update, the sketch is handled lazily: it
 * stays in its encoded form, and new samples wait in a small pending buffer (at most {@value #PENDING_MAX})
 * that is folded into the sketch only when full or when percentiles or a merge are needed. An update thus
 * costs a copy of the encoded bytes, not a decode and re-encode of the sketch.
 *
 * <p>Mutable and not thread-safe: each instance belongs to one {@link StatsAggregate}.
 */
public final class LatencyAccumulator {

    /** Samples buffered before they are folded into the sketch. */
    static final int PENDING_MAX = 64;

    private long count;
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    /** The decoded sketch, when materialized; then {@link #encoded} is stale and null. */
    private @Nullable DDSketch sketch;
    /** The sketch as last encoded, while not materialized; null when there is none yet. */
    private byte @Nullable [] encoded;
    private double[] pending = new double[0];
    private int pendingCount;

    LatencyAccumulator() {}

    /** Adds one sample; negative and non-finite values are ignored. */
    public void record(double ms) {
        if (!(ms >= 0) || Double.isInfinite(ms)) {
            return;
        }
        count++;
        sum += ms;
        min = Math.min(min, ms);
        max = Math.max(max, ms);
        if (sketch != null) {
            sketch.accept(ms);
            return;
        }
        if (pendingCount == pending.length) {
            if (pendingCount >= PENDING_MAX) {
                materialize().accept(ms);
                return;
            }
            pending = Arrays.copyOf(pending, Math.min(PENDING_MAX, Math.max(4, pendingCount * 2)));
        }
        pending[pendingCount++] = ms;
    }

    /** Adds every sample of {@code other} to this one. */
    public void merge(LatencyAccumulator other) {
        if (other.count == 0) {
            return;
        }
        count += other.count;
        sum += other.sum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        materialize().mergeWith(other.materialize());
    }

    public long count() {
        return count;
    }

    public double sum() {
        return sum;
    }

    /** The smallest sample, 0 when empty. */
    public double min() {
        return count == 0 ? 0 : min;
    }

    /** The largest sample, 0 when empty. */
    public double max() {
        return count == 0 ? 0 : max;
    }

    /** The mean, 0 when empty. */
    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    /**
     * The value at {@code quantile} (0..1), within the sketch's relative accuracy of the exact sample at rank
     * {@code floor(quantile * (count - 1))}, clamped to [min, max]; 0 when empty.
     */
    public double quantile(double quantile) {
        if (count == 0) {
            return 0;
        }
        double value = materialize().getValueAtQuantile(quantile);
        return Math.max(min, Math.min(max, value));
    }

    /** The Avro summary written to the aggregate topics. */
    public LatencyStats toLatencyStats() {
        return LatencyStats.newBuilder()
                .setCount(count)
                .setSumMs(sum)
                .setMeanMs(mean())
                .setMinMs(min())
                .setMaxMs(max())
                .setP50Ms(quantile(0.50))
                .setP90Ms(quantile(0.90))
                .setP95Ms(quantile(0.95))
                .setP99Ms(quantile(0.99))
                .build();
    }

    /** The sketch with every sample in it, decoding it and folding the pending samples in if needed. */
    private DDSketch materialize() {
        if (sketch == null) {
            sketch = encoded == null ? newSketch() : decode(encoded);
            encoded = null;
        }
        for (int i = 0; i < pendingCount; i++) {
            sketch.accept(pending[i]);
        }
        pendingCount = 0;
        return sketch;
    }

    static DDSketch newSketch() {
        return DDSketches.unboundedDense(StatsAggregate.RELATIVE_ACCURACY);
    }

    private static DDSketch decode(byte[] bytes) {
        try {
            return DDSketch.decode(ByteArrayInput.wrap(bytes), UnboundedSizeDenseStore::new);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt latency sketch", e);
        }
    }

    // --- binary form: count, sum, min, max, sketch length + DDSketch's own encoding, pending count + samples

    /** The sketch bytes to write: the live sketch encoded, or the encoded form as read (without decoding). */
    byte[] sketchBytes() {
        if (sketch == null) {
            return encoded == null ? new byte[0] : encoded;
        }
        GrowingByteArrayOutput out = GrowingByteArrayOutput.withInitialCapacity(512);
        try {
            sketch.encode(out, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a latency sketch", e);
        }
        return out.trimmedCopy();
    }

    int sizeOf(byte[] sketchBytes) {
        return 8 * 4 + 4 + sketchBytes.length + 4 + 8 * pendingCount;
    }

    void write(ByteBuffer buf, byte[] sketchBytes) {
        buf.putLong(count).putDouble(sum).putDouble(min).putDouble(max).putInt(sketchBytes.length).put(sketchBytes);
        buf.putInt(pendingCount);
        for (int i = 0; i < pendingCount; i++) {
            buf.putDouble(pending[i]);
        }
    }

    static LatencyAccumulator read(ByteBuffer buf) throws IOException {
        LatencyAccumulator acc = new LatencyAccumulator();
        acc.count = buf.getLong();
        acc.sum = buf.getDouble();
        acc.min = buf.getDouble();
        acc.max = buf.getDouble();
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new IOException("corrupt latency sketch length " + length);
        }
        if (length > 0) {
            acc.encoded = new byte[length];
            buf.get(acc.encoded);
        }
        int pendingCount = buf.getInt();
        if (pendingCount < 0 || pendingCount > PENDING_MAX || pendingCount > buf.remaining() / 8) {
            throw new IOException("corrupt pending sample count " + pendingCount);
        }
        acc.pending = new double[Math.min(PENDING_MAX, Math.max(4, pendingCount + 1))];
        for (int i = 0; i < pendingCount; i++) {
            acc.pending[i] = buf.getDouble();
        }
        acc.pendingCount = pendingCount;
        if (acc.count < (long) pendingCount || (acc.count > pendingCount && acc.encoded == null)) {
            throw new IOException("corrupt latency accumulator: " + acc.count + " samples, " + pendingCount
                    + " pending, sketch " + (acc.encoded == null ? "absent" : "present"));
        }
        return acc;
    }
}
