package io.promptq.aggregator.internal.view;

import io.promptq.aggregator.JobSummary;
import io.promptq.aggregator.JobView;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.common.utils.Bytes;
import org.jspecify.annotations.Nullable;

/**
 * The job index: a tenant's jobs by listing time, newest first, so that a page of them is one range scan. A key is
 * {@code tenant UTF-8, 0x00, (Long.MAX_VALUE - listedAtMillis) as 8 bytes big-endian, job id UTF-8}; its position
 * (the part after the tenant) orders a tenant's jobs newest first, then by job id. A value is the job's compact
 * {@link JobSummary} ({@value #FORMAT_V1}, state, version, model, updated and completed times). The listing time
 * is the job's submission (its first state change's time, or its result's {@code submittedAt}) and never changes,
 * so a job's entry stays in place while its state changes and a cursor (a position) walks every job once.
 */
public final class JobIndex {

    /** The value format. */
    public static final byte FORMAT_V1 = 1;
    /** A missing time. */
    public static final long NO_TIME = Long.MIN_VALUE;
    private static final int POSITION_TIME_BYTES = 8;

    private JobIndex() {}

    /** The index key of a job of {@code tenant} listed at {@code listedAtMillis}. */
    public static Bytes key(String tenant, long listedAtMillis, String jobId) {
        return Bytes.wrap(concat(prefix(tenant), position(listedAtMillis, jobId)));
    }

    /** The position of a job among its tenant's: inverted listing time, then job id. */
    public static byte[] position(long listedAtMillis, String jobId) {
        byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(POSITION_TIME_BYTES + id.length).putLong(Long.MAX_VALUE - Math.max(0, listedAtMillis))
                .put(id).array();
    }

    /** The first key of {@code tenant}'s jobs strictly after {@code position} (null: from the newest). */
    public static Bytes from(String tenant, byte @Nullable [] position) {
        byte[] prefix = prefix(tenant);
        if (position == null) {
            return Bytes.wrap(prefix);
        }
        return Bytes.wrap(concat(prefix, Arrays.copyOf(position, position.length + 1)));
    }

    /** The last key of {@code tenant}'s jobs listed at or after {@code sinceMillis}. */
    public static Bytes to(String tenant, long sinceMillis) {
        long bound = Long.MAX_VALUE - Math.max(0, sinceMillis);
        byte[] time = bound == Long.MAX_VALUE ? new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}
                : ByteBuffer.allocate(POSITION_TIME_BYTES).putLong(bound + 1).array();
        return Bytes.wrap(concat(prefix(tenant), time));
    }

    /** The position part of an index key of {@code tenant}. */
    public static byte[] positionOf(String tenant, Bytes key) {
        int prefix = tenant.getBytes(StandardCharsets.UTF_8).length + 1;
        return Arrays.copyOfRange(key.get(), prefix, key.get().length);
    }

    /** The job id in a position. */
    public static String jobIdOf(byte[] position) {
        return new String(position, POSITION_TIME_BYTES, position.length - POSITION_TIME_BYTES, StandardCharsets.UTF_8);
    }

    /** The listing time in a position, epoch millis. */
    public static long listedAtOf(byte[] position) {
        return Long.MAX_VALUE - ByteBuffer.wrap(position, 0, POSITION_TIME_BYTES).getLong();
    }

    /** The index value of {@code view}. */
    public static byte[] encode(JobView view) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_V1);
            out.writeUTF(view.state());
            out.writeLong(view.version());
            String model = view.result() == null ? null : view.result().model();
            out.writeBoolean(model != null);
            if (model != null) {
                out.writeUTF(model);
            }
            String updatedAt = view.history().isEmpty() ? null : view.history().getLast().at();
            out.writeLong(millis(updatedAt));
            out.writeLong(millis(view.result() == null ? null : view.result().completedAt()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The summary of the job at {@code position} of {@code tenant}'s index, from its value. */
    public static JobSummary decode(String tenant, byte[] position, byte[] value) {
        String jobId = jobIdOf(position);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
            byte format = in.readByte();
            if (format != FORMAT_V1) {
                throw new IllegalArgumentException("unknown job index format " + format + " for job " + jobId);
            }
            String state = in.readUTF();
            long version = in.readLong();
            String model = in.readBoolean() ? in.readUTF() : null;
            String updatedAt = iso(in.readLong());
            String completedAt = iso(in.readLong());
            return new JobSummary(jobId, tenant, state, version, model, iso(listedAtOf(position)), updatedAt,
                    completedAt);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated job index entry for job " + jobId, e);
        }
    }

    private static byte[] prefix(String tenant) {
        byte[] t = tenant.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(t, t.length + 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long millis(@Nullable String iso) {
        return iso == null ? NO_TIME : Instant.parse(iso).toEpochMilli();
    }

    private static @Nullable String iso(long millis) {
        return millis == NO_TIME ? null : Instant.ofEpochMilli(millis).toString();
    }
}
