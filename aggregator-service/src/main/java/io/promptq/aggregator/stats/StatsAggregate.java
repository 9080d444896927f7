package io.promptq.aggregator.stats;

import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * The running aggregate of one scope (overall, a model or a tenant), all-time or for one window: outcome
 * counts, retries, tokens and two latency distributions (provider time per attempt, end-to-end time per
 * job). It is the value of the aggregator's state stores, stored with its own compact binary
 * {@link #serde()}, and is turned into the public Avro {@link JobStats} only when written out.
 *
 * <p>Aggregates are mergeable: {@code a.merge(b)} equals the aggregate of the union of their jobs (counts
 * and sums exactly; percentiles bin for bin), so windows and partitions can be combined.
 *
 * <p>Mutable and not thread-safe, like Kafka Streams' aggregates: the store hands out a fresh copy per
 * update.
 */
public final class StatsAggregate {

    /**
     * Relative accuracy of the percentile sketches: every reported percentile is within 0.5% of the exact
     * value at its rank. Changing it makes stored sketches unmergeable with new ones.
     */
    public static final double RELATIVE_ACCURACY = 0.005;

    private static final byte FORMAT_V1 = 1;
    /** V1 plus the undecodable count after the other counters; V1 is still read (undecodable 0). */
    private static final byte FORMAT_V2 = 2;
    private static final int COUNTERS_V1 = 12;
    private static final int COUNTERS = 13;
    private static final Serde<StatsAggregate> SERDE = Serdes.serdeFrom(new AggregateSerializer(), new AggregateDeserializer());

    private long total;
    private long succeeded;
    private long deadLettered;
    private long expired;
    private long cancelled;
    private long other;
    private long totalRetries;
    private long jobsRetried;
    private long totalAttempts;
    private long promptTokens;
    private long completionTokens;
    private long updatedAtMs;
    private long undecodable;
    private final LatencyAccumulator provider;
    private final LatencyAccumulator endToEnd;

    private StatsAggregate(LatencyAccumulator provider, LatencyAccumulator endToEnd) {
        this.provider = provider;
        this.endToEnd = endToEnd;
    }

    /** An aggregate of no jobs. */
    public static StatsAggregate empty() {
        return new StatsAggregate(new LatencyAccumulator(), new LatencyAccumulator());
    }

    /** The aggregate of {@code samples}, updated at {@code updatedAtMs}. */
    public static StatsAggregate of(Iterable<JobSample> samples, long updatedAtMs) {
        StatsAggregate aggregate = empty();
        for (JobSample sample : samples) {
            aggregate.add(sample, updatedAtMs);
        }
        return aggregate;
    }

    /**
     * Adds one job, or - for a sample that {@linkplain JobSample#supersedes() supersedes} an earlier terminal result
     * of its job - moves the job from its old status to its new one: the job is not counted twice, its new attempts
     * count as retries, its tokens and provider latencies are added (they were real calls), and its end-to-end time
     * stays that of the first result.
     *
     * @param nowMs wall-clock time of the update, reported as {@code updatedAt}
     * @return this aggregate
     */
    public StatsAggregate add(JobSample job, long nowMs) {
        if (job.undecodable()) {
            undecodable++; // no job: not in total, no status, attempts, tokens or latencies
            updatedAtMs = Math.max(updatedAtMs, nowMs);
            return this;
        }
        JobStatus previous = job.supersedes();
        if (previous == null) {
            total++;
        } else {
            count(previous, -1);
        }
        count(job.status(), 1);
        int attempts = Math.max(0, job.attempts());
        totalAttempts += attempts;
        if (previous != null) {
            // A redrive after the job had ended: every attempt it makes is a retry of an already counted job.
            totalRetries += attempts;
        } else if (attempts > 1) {
            totalRetries += attempts - 1;
            jobsRetried++;
        }
        promptTokens += job.promptTokens();
        completionTokens += job.completionTokens();
        for (int i = 0; i < job.providerSamples(); i++) {
            provider.record(job.providerAt(i));
        }
        if (previous == null && job.endToEndMs() >= 0) {
            endToEnd.record(job.endToEndMs()); // a job's end-to-end time is that of its first terminal result
        }
        updatedAtMs = Math.max(updatedAtMs, nowMs);
        return this;
    }

    private void count(JobStatus status, int delta) {
        switch (status) {
            case SUCCEEDED -> succeeded += delta;
            case DEAD_LETTERED -> deadLettered += delta;
            case EXPIRED -> expired += delta;
            case CANCELLED -> cancelled += delta;
            default -> other += delta;
        }
    }

    /**
     * Adds every job of {@code other} to this aggregate.
     *
     * @return this aggregate
     */
    public StatsAggregate merge(StatsAggregate other) {
        total += other.total;
        succeeded += other.succeeded;
        deadLettered += other.deadLettered;
        expired += other.expired;
        cancelled += other.cancelled;
        this.other += other.other;
        totalRetries += other.totalRetries;
        jobsRetried += other.jobsRetried;
        totalAttempts += other.totalAttempts;
        promptTokens += other.promptTokens;
        completionTokens += other.completionTokens;
        undecodable += other.undecodable;
        updatedAtMs = Math.max(updatedAtMs, other.updatedAtMs);
        provider.merge(other.provider);
        endToEnd.merge(other.endToEnd);
        return this;
    }

    /**
     * The public Avro form of this aggregate.
     *
     * @param windowStart start of the window, or null for all-time totals
     * @param windowEnd end of the window (exclusive), or null for all-time totals
     */
    public JobStats toJobStats(StatsKey key, @Nullable Instant windowStart, @Nullable Instant windowEnd) {
        return JobStats.newBuilder()
                .setScope(key.scope())
                .setScopeValue(key.value())
                .setWindowStart(windowStart)
                .setWindowEnd(windowEnd)
                .setTotal(total)
                .setSucceeded(succeeded)
                .setDeadLettered(deadLettered)
                .setExpired(expired)
                .setCancelled(cancelled)
                .setOther(other)
                .setTotalRetries(totalRetries)
                .setJobsRetried(jobsRetried)
                .setTotalAttempts(totalAttempts)
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .setProviderLatency(provider.toLatencyStats())
                .setEndToEndLatency(endToEnd.toLatencyStats())
                .setUpdatedAt(Instant.ofEpochMilli(updatedAtMs))
                .setUndecodable(undecodable)
                .build();
    }

    public long total() {
        return total;
    }

    public long succeeded() {
        return succeeded;
    }

    public long deadLettered() {
        return deadLettered;
    }

    public long expired() {
        return expired;
    }

    public long cancelled() {
        return cancelled;
    }

    public long other() {
        return other;
    }

    public long totalRetries() {
        return totalRetries;
    }

    public long jobsRetried() {
        return jobsRetried;
    }

    public long totalAttempts() {
        return totalAttempts;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long completionTokens() {
        return completionTokens;
    }

    /** Records the workers could not decode (dead-lettered, no job, no result); not part of {@link #total()}. */
    public long undecodable() {
        return undecodable;
    }

    public long updatedAtMs() {
        return updatedAtMs;
    }

    /** Provider time, one sample per attempt. */
    public LatencyAccumulator provider() {
        return provider;
    }

    /** Submit to terminal outcome, one sample per job. */
    public LatencyAccumulator endToEnd() {
        return endToEnd;
    }

    /** The binary form: a version byte, the counters, then both latency accumulators. */
    public byte[] toBytes() {
        byte[] providerSketch = provider.sketchBytes();
        byte[] endToEndSketch = endToEnd.sketchBytes();
        ByteBuffer buf = ByteBuffer.allocate(1 + 8 * COUNTERS + provider.sizeOf(providerSketch)
                + endToEnd.sizeOf(endToEndSketch));
        buf.put(FORMAT_V2)
                .putLong(total).putLong(succeeded).putLong(deadLettered).putLong(expired).putLong(cancelled)
                .putLong(other).putLong(totalRetries).putLong(jobsRetried).putLong(totalAttempts)
                .putLong(promptTokens).putLong(completionTokens).putLong(updatedAtMs).putLong(undecodable);
        provider.write(buf, providerSketch);
        endToEnd.write(buf, endToEndSketch);
        return buf.array();
    }

    /**
     * Reads the {@link #toBytes()} form.
     *
     * @throws SerializationException if {@code data} is not a valid aggregate
     */
    public static StatsAggregate fromBytes(byte[] data) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            byte format = buf.get();
            if (format != FORMAT_V1 && format != FORMAT_V2) {
                throw new SerializationException("unknown StatsAggregate format " + format);
            }
            long[] counters = new long[COUNTERS];
            for (int i = 0; i < (format == FORMAT_V1 ? COUNTERS_V1 : COUNTERS); i++) {
                counters[i] = buf.getLong();
            }
            StatsAggregate a = new StatsAggregate(LatencyAccumulator.read(buf), LatencyAccumulator.read(buf));
            a.total = counters[0];
            a.succeeded = counters[1];
            a.deadLettered = counters[2];
            a.expired = counters[3];
            a.cancelled = counters[4];
            a.other = counters[5];
            a.totalRetries = counters[6];
            a.jobsRetried = counters[7];
            a.totalAttempts = counters[8];
            a.promptTokens = counters[9];
            a.completionTokens = counters[10];
            a.updatedAtMs = counters[11];
            a.undecodable = counters[12];
            return a;
        } catch (IOException | UncheckedIOException | BufferUnderflowException | IllegalArgumentException
                | IndexOutOfBoundsException e) {
            throw new SerializationException("corrupt StatsAggregate (" + data.length + " bytes)", e);
        }
    }

    /** The state-store serde of aggregates. */
    public static Serde<StatsAggregate> serde() {
        return SERDE;
    }

    @Override
    public String toString() {
        return "StatsAggregate[total=" + total + ", succeeded=" + succeeded + ", deadLettered=" + deadLettered
                + ", expired=" + expired + ", cancelled=" + cancelled + ", other=" + other + ", totalRetries="
                + totalRetries + ", jobsRetried=" + jobsRetried + ", undecodable=" + undecodable + ", providerSamples=" + provider.count() + "]";
    }

    private static final class AggregateSerializer implements Serializer<StatsAggregate> {
        @Override
        public byte[] serialize(String topic, StatsAggregate aggregate) {
            return aggregate == null ? null : aggregate.toBytes();
        }
    }

    private static final class AggregateDeserializer implements Deserializer<StatsAggregate> {
        @Override
        public StatsAggregate deserialize(String topic, byte[] data) {
            return data == null ? null : fromBytes(data);
        }
    }
}
