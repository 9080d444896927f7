package io.promptq.files;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored file as the Files API describes it.
 *
 * @param id the file id ({@code file-…})
 * @param tenant the tenant owning it; only that tenant sees it
 * @param filename the name given at upload (or chosen by promptq for output files)
 * @param purpose {@value #PURPOSE_BATCH} for uploaded batch input, {@value #PURPOSE_BATCH_OUTPUT} for files
 *     promptq writes
 * @param bytes its size
 * @param createdAt when it was stored
 * @param expiresAt when it stops being readable
 * @param sha256 hex SHA-256 of the content
 */
public record StoredFile(String id, String tenant, String filename, String purpose, long bytes, Instant createdAt,
        Instant expiresAt, String sha256) {

    /** Purpose of an uploaded batch input file. */
    public static final String PURPOSE_BATCH = "batch";
    /** Purpose of a batch's output and error files. */
    public static final String PURPOSE_BATCH_OUTPUT = "batch_output";

    public StoredFile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(sha256, "sha256");
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must not be negative, but was " + bytes);
        }
    }

    /** Whether the file has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }
}
