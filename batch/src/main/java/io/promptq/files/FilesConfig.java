package io.promptq.files;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.time.Duration;

/**
 * How the file store behaves: the largest file it accepts, how long files live, how large its chunks are. Read by
 * the producer (uploads, downloads) and the aggregator (a batch's output files) from the same keys.
 *
 * @param maxBytes the largest file accepted, in bytes ({@value #DEFAULT_MAX_BYTES}: OpenAI's 200 MB for batch input)
 * @param retention how long a file lives after it is stored; the files topic keeps chunks a day longer
 * @param chunkBytes bytes per chunk record (below the broker's default 1 MiB message limit)
 */
public record FilesConfig(long maxBytes, Duration retention, int chunkBytes) {

    public static final long DEFAULT_MAX_BYTES = 200L * 1024 * 1024;
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;

    /** Env key: the largest file the store accepts, in bytes. */
    public static final ConfigKey<Long> MAX_BYTES =
            ConfigKey.longInteger("PROMPTQ_FILES_MAX_BYTES", DEFAULT_MAX_BYTES, 1, 8L * 1024 * 1024 * 1024);
    /** Env key: how long a stored file lives (uploads and batch outputs alike). */
    public static final ConfigKey<Duration> RETENTION = ConfigKey.duration("PROMPTQ_FILES_RETENTION",
            DEFAULT_RETENTION, Duration.ofMinutes(1), Duration.ofDays(3650));
    /** Env key: the size of one chunk record on the files topic, in bytes. */
    public static final ConfigKey<Integer> CHUNK_BYTES =
            ConfigKey.integer("PROMPTQ_FILES_CHUNK_BYTES", DEFAULT_CHUNK_BYTES, 1024, 900 * 1024);

    public FilesConfig {
        MAX_BYTES.check(maxBytes);
        RETENTION.check(retention);
        CHUNK_BYTES.check(chunkBytes);
    }

    public static FilesConfig defaults() {
        return new FilesConfig(DEFAULT_MAX_BYTES, DEFAULT_RETENTION, DEFAULT_CHUNK_BYTES);
    }

    public static FilesConfig from(ConfigSource config) {
        return new FilesConfig(MAX_BYTES.read(config), RETENTION.read(config), CHUNK_BYTES.read(config));
    }

    public FilesConfig withMaxBytes(long value) {
        return new FilesConfig(value, retention, chunkBytes);
    }

    public FilesConfig withRetention(Duration value) {
        return new FilesConfig(maxBytes, value, chunkBytes);
    }

    public FilesConfig withChunkBytes(int value) {
        return new FilesConfig(maxBytes, retention, value);
    }
}
