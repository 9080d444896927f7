package io.promptq.aggregator.internal.view;

import io.promptq.aggregator.JobResultView;
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
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The binary format of a job view in the view store: a format byte ({@value #FORMAT_V1}), then the fields in a
 * fixed order, strings as length-prefixed UTF-8 (-1 for null) and timestamps as epoch millis ({@link Long#MIN_VALUE}
 * for none). The job id is the store's key and not repeated. Format {@value #FORMAT_V2} writes versions as 8-byte
 * longs (a redriven job's versions carry its redrive generation) and appends the job's listing time (its place in
 * the {@link JobIndex}) as the last 8 bytes; {@value #FORMAT_V1} views (int versions, no listing time) are still
 * read. A later format gets a new format byte; a reader meets an unknown one as an error rather than misreading it.
 */
public final class StoredViewCodec {

    /** The first format: int versions, no listing time. */
    public static final byte FORMAT_V1 = 1;
    /** Versions as longs, the listing time appended (the current format). */
    public static final byte FORMAT_V2 = 2;
    private static final long NO_TIME = Long.MIN_VALUE;

    private StoredViewCodec() {}

    public static byte[] encode(JobView view) {
        return encode(view, NO_TIME, FORMAT_V2);
    }

    /** The view with its listing time ({@link #FORMAT_V2}). */
    public static byte[] encode(JobView view, long listedAtMillis) {
        return encode(view, listedAtMillis, FORMAT_V2);
    }

    /** The listing time of an encoded view, epoch millis; {@link Long#MIN_VALUE} for a {@link #FORMAT_V1} one. */
    public static long listedAt(byte[] bytes) {
        return bytes.length > 8 && bytes[0] == FORMAT_V2
                ? ByteBuffer.wrap(bytes, bytes.length - 8, 8).getLong() : NO_TIME;
    }

    private static byte[] encode(JobView view, long listedAtMillis, byte format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(136 + 48 * view.history().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            boolean wide = format == FORMAT_V2;
            string(out, view.tenant());
            string(out, view.state());
            version(out, view.version(), wide);
            out.writeBoolean(view.terminal());
            out.writeByte(view.history().size());
            for (JobView.Change c : view.history()) {
                version(out, c.version(), wide);
                string(out, c.state());
                time(out, c.at());
                out.writeInt(c.attempt());
                string(out, c.workerId());
                time(out, c.nextAttemptAt());
                string(out, c.errorClass());
            }
            JobView.Result r = view.result();
            out.writeBoolean(r != null);
            if (r != null) {
                string(out, r.status());
                string(out, r.model());
                string(out, r.output());
                string(out, r.finishReason());
                out.writeLong(r.promptTokens());
                out.writeLong(r.completionTokens());
                out.writeInt(r.attempts());
                out.writeShort(r.attemptDurationsMs().size());
                for (long ms : r.attemptDurationsMs()) {
                    out.writeLong(ms);
                }
                out.writeLong(r.queueWaitMs());
                out.writeLong(r.providerMs());
                out.writeLong(r.endToEndMs());
                JobResultView.Error e = r.error();
                out.writeBoolean(e != null);
                if (e != null) {
                    string(out, e.type());
                    string(out, e.message());
                    out.writeBoolean(e.retryable());
                    out.writeInt(e.httpStatus() == null ? -1 : e.httpStatus());
                }
                time(out, r.completedAt());
            }
            if (format == FORMAT_V2) {
                out.writeLong(listedAtMillis);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException if the bytes are not a view of a known format */
    public static JobView decode(String jobId, byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT_V1 && format != FORMAT_V2) {
                throw new IllegalArgumentException("unknown job view format " + format + " for job " + jobId);
            }
            boolean wide = format == FORMAT_V2;
            String tenant = string(in);
            String state = string(in);
            long version = wide ? in.readLong() : in.readInt();
            boolean terminal = in.readBoolean();
            int changes = in.readUnsignedByte();
            List<JobView.Change> history = new ArrayList<>(changes);
            for (int i = 0; i < changes; i++) {
                history.add(new JobView.Change(wide ? in.readLong() : in.readInt(), string(in), time(in), in.readInt(), string(in), time(in),
                        string(in)));
            }
            JobView.Result result = null;
            if (in.readBoolean()) {
                String status = string(in);
                String model = string(in);
                String output = string(in);
                String finishReason = string(in);
                long promptTokens = in.readLong();
                long completionTokens = in.readLong();
                int attempts = in.readInt();
                int durations = in.readUnsignedShort();
                List<Long> attemptDurations = new ArrayList<>(durations);
                for (int i = 0; i < durations; i++) {
                    attemptDurations.add(in.readLong());
                }
                long queueWait = in.readLong();
                long provider = in.readLong();
                long endToEnd = in.readLong();
                JobResultView.Error error = null;
                if (in.readBoolean()) {
                    String type = string(in);
                    String message = string(in);
                    boolean retryable = in.readBoolean();
                    int http = in.readInt();
                    error = new JobResultView.Error(type, message, retryable, http < 0 ? null : http);
                }
                result = new JobView.Result(status, model, output, finishReason, promptTokens, completionTokens,
                        attempts, attemptDurations, queueWait, provider, endToEnd, error, time(in));
            }
            return new JobView(jobId, tenant, state, version, terminal, history, result);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated job view for job " + jobId, e);
        }
    }

    private static void version(DataOutputStream out, long version, boolean wide) throws IOException {
        if (wide) {
            out.writeLong(version);
        } else {
            out.writeInt((int) version);
        }
    }

    private static void string(DataOutputStream out, @Nullable String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static @Nullable String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length < 0 ? null : new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    private static void time(DataOutputStream out, @Nullable String iso) throws IOException {
        out.writeLong(iso == null ? NO_TIME : Instant.parse(iso).toEpochMilli());
    }

    private static @Nullable String time(DataInputStream in) throws IOException {
        long millis = in.readLong();
        return millis == NO_TIME ? null : Instant.ofEpochMilli(millis).toString();
    }
}
