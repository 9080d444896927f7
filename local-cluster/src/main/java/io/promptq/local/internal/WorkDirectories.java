package io.promptq.local.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where promptq keeps reusable local files (an unpacked registry, class-data-sharing archives):
 * {@code $PROMPTQ_CACHE_DIR}, else {@code $XDG_CACHE_HOME/promptq}, else {@code ~/.cache/promptq};
 * falls back to the temporary directory when that is not writable.
 */
public final class WorkDirectories {

    /** Environment variable overriding the cache directory. */
    public static final String CACHE_ENV = "PROMPTQ_CACHE_DIR";

    private WorkDirectories() {
    }

    /** A writable cache directory (created if needed). */
    public static Path cache() {
        String explicit = System.getenv(CACHE_ENV);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path preferred = explicit != null && !explicit.isBlank() ? Path.of(explicit)
                : xdg != null && !xdg.isBlank() ? Path.of(xdg, "promptq")
                : Path.of(System.getProperty("user.home"), ".cache", "promptq");
        return writable(preferred).orElseGet(() -> writable(
                Path.of(System.getProperty("java.io.tmpdir"), "promptq-cache-" + System.getProperty("user.name")))
                .orElseThrow(() -> new IllegalStateException("no writable cache directory: tried " + preferred + " and java.io.tmpdir")));
    }

    /** {@code dir} if it exists (or can be created) and is writable. */
    public static java.util.Optional<Path> writable(Path dir) {
        try {
            Files.createDirectories(dir);
            return Files.isWritable(dir) ? java.util.Optional.of(dir) : java.util.Optional.empty();
        } catch (IOException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }
}
