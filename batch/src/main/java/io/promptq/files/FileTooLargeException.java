package io.promptq.files;

import java.io.IOException;

/** A file's content exceeded the store's limit ({@link FilesConfig#maxBytes()}); nothing of it was kept. */
public final class FileTooLargeException extends IOException {

    private final long maxBytes;

    public FileTooLargeException(long maxBytes) {
        super("file exceeds the limit of " + maxBytes + " bytes (" + FilesConfig.MAX_BYTES.name() + ")");
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }
}
