package io.promptq.aggregator.stats;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;

/**
 * What one job contributes to an aggregate: its outcome, attempts, provider time of every attempt,
 * end-to-end time and tokens. It travels through the aggregator's repartition topic in a compact binary
 * form ({@link #serde()}) instead of the whole {@link JobResult}, whose prompt output can be large.
 *
 * @param status terminal outcome
 * @param attempts provider attempts made (0 when the job expired before the first)
 * @param providerMs provider time of each attempt, in ms (one latency sample each)
 * @param endToEndMs submit to terminal outcome, in ms; negative when unknown (then no sample)
 * @param promptTokens tokens in
 * @param completionTokens tokens out
 * @param supersedes the status this job was counted with before, when this sample replaces an earlier terminal
 *     result of the same job (a redriven dead letter that succeeded); {@code null} for a job counted the first time
 * @param undecodable this is no job but a record the workers could not decode (dead-lettered without a result):
 *     it counts only as undecodable
 */
public record JobSample(JobStatus status, int attempts, long[] providerMs, long endToEndMs, long promptTokens,
        long completionTokens, @Nullable JobStatus supersedes, boolean undecodable) {

    private static final byte FORMAT_V1 = 1;
    /** V1 plus the superseded status; written only for superseding samples, so V1 readers see no change otherwise. */
    private static final byte FORMAT_V2 = 2;
    /** The sample of an undecodable record: only a version byte. */
    private static final byte FORMAT_UNDECODABLE = 3;
    private static final JobSample UNDECODABLE = new JobSample(JobStatus.UNKNOWN, 0, new long[0], -1, 0, 0, null, true);
    private static final Serde<JobSample> SERDE = Serdes.serdeFrom(new SampleSerializer(), new SampleDeserializer());

    public JobSample {
        Objects.requireNonNull(status, "status");
        providerMs = providerMs.clone();
    }

    /** A sample of a job. */
    public JobSample(JobStatus status, int attempts, long[] providerMs, long endToEndMs, long promptTokens,
            long completionTokens, @Nullable JobStatus supersedes) {
        this(status, attempts, providerMs, endToEndMs, promptTokens, completionTokens, supersedes, false);
    }

    /** The sample of a record the workers could not decode and dead-lettered without publishing a result. */
    public static JobSample undecodableRecord() {
        return UNDECODABLE;
    }

    /** A sample of a job counted for the first time. */
    public JobSample(JobStatus status, int attempts, long[] providerMs, long endToEndMs, long promptTokens,
            long completionTokens) {
        this(status, attempts, providerMs, endToEndMs, promptTokens, completionTokens, null);
    }

    /** This sample replacing an earlier terminal result of its job that was counted as {@code previous}. */
    public JobSample superseding(JobStatus previous) {
        return new JobSample(status, attempts, providerMs, endToEndMs, promptTokens, completionTokens,
                Objects.requireNonNull(previous, "previous"));
    }

    /** This sample as a terminal event of its own (time windows count events, not jobs). */
    public JobSample asEvent() {
        return supersedes == null ? this : new JobSample(status, attempts, providerMs, endToEndMs, promptTokens,
                completionTokens);
    }

    /**
     * The sample of {@code result}. Provider samples are the elements of {@code attemptDurationsMs}; when
     * that list is empty (older workers) {@code providerMs} is the one sample, if positive. Negative durations
     * are dropped.
     */
    public static JobSample of(JobResult result) {
        List<Long> durations = result.getAttemptDurationsMs();
        long[] provider;
        if (durations != null && !durations.isEmpty()) {
            provider = durations.stream().filter(Objects::nonNull).mapToLong(Long::longValue).filter(d -> d >= 0).toArray();
        } else if (result.getProviderMs() > 0) {
            provider = new long[] {result.getProviderMs()};
        } else {
            provider = new long[0];
        }
        long prompt = result.getUsage() == null ? 0 : result.getUsage().getPromptTokens();
        long completion = result.getUsage() == null ? 0 : result.getUsage().getCompletionTokens();
        return new JobSample(result.getStatus() == null ? JobStatus.UNKNOWN : result.getStatus(), result.getAttempts(),
                provider, result.getEndToEndMs(), prompt, completion);
    }

    @Override
    public long[] providerMs() {
        return providerMs.clone();
    }

    long providerAt(int i) {
        return providerMs[i];
    }

    int providerSamples() {
        return providerMs.length;
    }

    /** The serde of the repartition topic: a version byte, then fixed-width fields. */
    public static Serde<JobSample> serde() {
        return SERDE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSample other && status == other.status && attempts == other.attempts
                && endToEndMs == other.endToEndMs && promptTokens == other.promptTokens
                && completionTokens == other.completionTokens && Arrays.equals(providerMs, other.providerMs)
                && supersedes == other.supersedes && undecodable == other.undecodable;
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, attempts, endToEndMs, promptTokens, completionTokens, Arrays.hashCode(providerMs),
                supersedes, undecodable);
    }

    @Override
    public String toString() {
        if (undecodable) {
            return "JobSample[undecodable]";
        }
        return "JobSample[status=" + status + ", attempts=" + attempts + ", providerMs=" + Arrays.toString(providerMs)
                + ", endToEndMs=" + endToEndMs + ", promptTokens=" + promptTokens + ", completionTokens="
                + completionTokens + (supersedes == null ? "" : ", supersedes=" + supersedes) + "]";
    }

    private static byte statusCode(JobStatus status) {
        return switch (status) {
            case SUCCEEDED -> 1;
            case DEAD_LETTERED -> 2;
            case EXPIRED -> 3;
            case CANCELLED -> 4;
            default -> 0;
        };
    }

    private static JobStatus statusOf(byte code) {
        return switch (code) {
            case 1 -> JobStatus.SUCCEEDED;
            case 2 -> JobStatus.DEAD_LETTERED;
            case 3 -> JobStatus.EXPIRED;
            case 4 -> JobStatus.CANCELLED;
            default -> JobStatus.UNKNOWN;
        };
    }

    private static final class SampleSerializer implements Serializer<JobSample> {
        @Override
        public byte @Nullable [] serialize(String topic, @Nullable JobSample s) {
            if (s == null) {
                return null;
            }
            if (s.undecodable) {
                return new byte[] {FORMAT_UNDECODABLE};
            }
            int size = 2 + 4 + 8 * 3 + 4 + 8 * s.providerMs.length + (s.supersedes == null ? 0 : 1);
            ByteBuffer buf = ByteBuffer.allocate(size);
            buf.put(s.supersedes == null ? FORMAT_V1 : FORMAT_V2).put(statusCode(s.status)).putInt(s.attempts).putLong(s.endToEndMs)
                    .putLong(s.promptTokens).putLong(s.completionTokens).putInt(s.providerMs.length);
            for (long d : s.providerMs) {
                buf.putLong(d);
            }
            if (s.supersedes != null) {
                buf.put(statusCode(s.supersedes));
            }
            return buf.array();
        }
    }

    private static final class SampleDeserializer implements Deserializer<JobSample> {
        @Override
        public @Nullable JobSample deserialize(String topic, byte @Nullable [] data) {
            if (data == null) {
                return null;
            }
            try {
                ByteBuffer buf = ByteBuffer.wrap(data);
                byte format = buf.get();
                if (format == FORMAT_UNDECODABLE) {
                    return UNDECODABLE;
                }
                if (format != FORMAT_V1 && format != FORMAT_V2) {
                    throw new SerializationException("unknown JobSample format " + format + " on " + topic);
                }
                JobStatus status = statusOf(buf.get());
                int attempts = buf.getInt();
                long endToEnd = buf.getLong();
                long prompt = buf.getLong();
                long completion = buf.getLong();
                int n = buf.getInt();
                if (n < 0 || n > buf.remaining() / 8) {
                    throw new SerializationException("corrupt JobSample on " + topic + ": " + n + " provider samples");
                }
                long[] provider = new long[n];
                for (int i = 0; i < n; i++) {
                    provider[i] = buf.getLong();
                }
                JobStatus supersedes = format == FORMAT_V2 ? statusOf(buf.get()) : null;
                return new JobSample(status, attempts, provider, endToEnd, prompt, completion, supersedes);
            } catch (RuntimeException e) {
                if (e instanceof SerializationException se) {
                    throw se;
                }
                throw new SerializationException("corrupt JobSample on " + topic, e);
            }
        }
    }
}
