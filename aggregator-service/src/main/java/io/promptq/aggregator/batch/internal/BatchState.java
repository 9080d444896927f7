package io.promptq.aggregator.batch.internal;

import io.promptq.batch.BatchStatus;
import io.promptq.batch.BatchView;
import io.promptq.schema.BatchError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A batch's state as the processor keeps it: what CREATED said, the status and its times, the total and the counts
 * of terminal lines. A batch whose job results arrive before its CREATED event exists with {@link #created} false
 * (only counts). Mutable, owned by the stream thread; stored in a compact binary form ({@link #encode}).
 */
public final class BatchState {

    private static final byte VERSION = 1;
    private static final long NONE = Long.MIN_VALUE;

    boolean created;
    String tenant = "";
    String inputFileId = "";
    String endpoint = "";
    String completionWindow = "";
    BatchStatus status = BatchStatus.VALIDATING;
    long createdAt = NONE;
    long expiresAt = NONE;
    long inProgressAt = NONE;
    long finalizingAt = NONE;
    long completedAt = NONE;
    long failedAt = NONE;
    long expiredAt = NONE;
    long cancellingAt = NONE;
    long cancelledAt = NONE;
    /** Lines of the batch; -1 until VALIDATED. */
    int total = -1;
    int completed;
    int failed;
    int expiredLines;
    long inputTokens;
    long outputTokens;
    Map<String, String> metadata = Map.of();
    List<BatchError> errors = List.of();
    @Nullable String outputFileId;
    @Nullable String errorFileId;

    public String tenant() {
        return tenant;
    }

    public BatchStatus status() {
        return status;
    }

    public boolean created() {
        return created;
    }

    /** Whether every line has its terminal outcome. */
    boolean allLinesTerminal() {
        return total >= 0 && completed + failed >= total;
    }

    /** The OpenAI Batch object of this state (only for a {@link #created} batch). */
    public BatchView view(String batchId) {
        int shownTotal = Math.max(total, 0);
        return new BatchView(batchId, endpoint, inputFileId, completionWindow, status, outputFileId, errorFileId, errors,
                Instant.ofEpochMilli(createdAt), time(inProgressAt), Instant.ofEpochMilli(expiresAt), time(finalizingAt),
                time(completedAt), time(failedAt), time(expiredAt), time(cancellingAt), time(cancelledAt), shownTotal,
                total < 0 ? completed : Math.min(completed, total), total < 0 ? failed : Math.min(failed, total),
                metadata, inputTokens, outputTokens);
    }

    private static @Nullable Instant time(long millis) {
        return millis == NONE ? null : Instant.ofEpochMilli(millis);
    }

    static boolean isSet(long millis) {
        return millis != NONE;
    }

    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeBoolean(created);
            out.writeUTF(tenant);
            out.writeUTF(inputFileId);
            out.writeUTF(endpoint);
            out.writeUTF(completionWindow);
            out.writeByte(status.ordinal());
            for (long t : new long[] {createdAt, expiresAt, inProgressAt, finalizingAt, completedAt, failedAt,
                    expiredAt, cancellingAt, cancelledAt}) {
                out.writeLong(t);
            }
            out.writeInt(total);
            out.writeInt(completed);
            out.writeInt(failed);
            out.writeInt(expiredLines);
            out.writeLong(inputTokens);
            out.writeLong(outputTokens);
            out.writeInt(metadata.size());
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(errors.size());
            for (BatchError e : errors) {
                out.writeUTF(e.getCode());
                out.writeUTF(e.getMessage());
                writeNullable(out, e.getParam());
                out.writeInt(e.getLine() == null ? -1 : e.getLine());
            }
            writeNullable(out, outputFileId);
            writeNullable(out, errorFileId);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static BatchState decode(byte[] bytes) {
        BatchState s = new BatchState();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalStateException("unknown batch state version " + version);
            }
            s.created = in.readBoolean();
            s.tenant = in.readUTF();
            s.inputFileId = in.readUTF();
            s.endpoint = in.readUTF();
            s.completionWindow = in.readUTF();
            s.status = BatchStatus.values()[in.readByte()];
            s.createdAt = in.readLong();
            s.expiresAt = in.readLong();
            s.inProgressAt = in.readLong();
            s.finalizingAt = in.readLong();
            s.completedAt = in.readLong();
            s.failedAt = in.readLong();
            s.expiredAt = in.readLong();
            s.cancellingAt = in.readLong();
            s.cancelledAt = in.readLong();
            s.total = in.readInt();
            s.completed = in.readInt();
            s.failed = in.readInt();
            s.expiredLines = in.readInt();
            s.inputTokens = in.readLong();
            s.outputTokens = in.readLong();
            int metadataSize = in.readInt();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (int i = 0; i < metadataSize; i++) {
                metadata.put(in.readUTF(), in.readUTF());
            }
            s.metadata = metadata;
            int errorCount = in.readInt();
            List<BatchError> errors = new ArrayList<>(errorCount);
            for (int i = 0; i < errorCount; i++) {
                String code = in.readUTF();
                String message = in.readUTF();
                String param = readNullable(in);
                int line = in.readInt();
                errors.add(new BatchError(code, message, param, line < 0 ? null : line));
            }
            s.errors = errors;
            s.outputFileId = readNullable(in);
            s.errorFileId = readNullable(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }

    private static void writeNullable(DataOutputStream out, @Nullable String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static @Nullable String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
