package io.promptq.files;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known of a file before its content is written.
 *
 * @param id the file id; writing an id again replaces the file (promptq's output files have ids derived from
 *     their batch, so that a finalization run twice writes the same file)
 * @param tenant the owner
 * @param filename its name
 * @param purpose see {@link StoredFile#purpose()}
 * @param createdAt when it is stored
 * @param expiresAt when it stops being readable
 */
public record NewFile(String id, String tenant, String filename, String purpose, Instant createdAt,
        Instant expiresAt) {

    public NewFile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(filename, "filename");
        Objects.requireNonNull(purpose, "purpose");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("expiresAt must be after createdAt, but was " + expiresAt);
        }
    }
}
