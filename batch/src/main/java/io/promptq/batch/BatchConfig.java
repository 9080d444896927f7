package io.promptq.batch;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The Batch API's limits: lines per batch, accepted completion windows, how long a finished batch is kept.
 *
 * @param maxLines most lines (requests) in one input file ({@value #DEFAULT_MAX_LINES}, as OpenAI)
 * @param completionWindows the {@code completion_window} values accepted, as durations ({@code 24h} only, as OpenAI)
 * @param retention how long a batch is kept (listed and retrievable) after it was created
 */
public record BatchConfig(int maxLines, List<Duration> completionWindows, Duration retention) {

    public static final int DEFAULT_MAX_LINES = 50_000;
    public static final List<Duration> DEFAULT_COMPLETION_WINDOWS = List.of(Duration.ofHours(24));
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    /** Env key: most lines in one batch's input file. */
    public static final ConfigKey<Integer> MAX_LINES =
            ConfigKey.integer("PROMPTQ_BATCH_MAX_LINES", DEFAULT_MAX_LINES, 1, 10_000_000);
    /** Env key: the accepted completion windows, comma-separated durations ({@code 24h}). */
    public static final ConfigKey<List<Duration>> COMPLETION_WINDOWS = ConfigKey.durations(
            "PROMPTQ_BATCH_COMPLETION_WINDOWS", DEFAULT_COMPLETION_WINDOWS, Duration.ofSeconds(1), Duration.ofDays(30));
    /** Env key: how long a batch is kept after its creation (the batches topic's retention). */
    public static final ConfigKey<Duration> RETENTION = ConfigKey.duration("PROMPTQ_BATCH_RETENTION",
            DEFAULT_RETENTION, Duration.ofMinutes(1), Duration.ofDays(3650));

    public BatchConfig {
        MAX_LINES.check(maxLines);
        completionWindows = List.copyOf(Objects.requireNonNull(completionWindows, "completionWindows"));
        COMPLETION_WINDOWS.check(completionWindows);
        RETENTION.check(retention);
    }

    public static BatchConfig defaults() {
        return new BatchConfig(DEFAULT_MAX_LINES, DEFAULT_COMPLETION_WINDOWS, DEFAULT_RETENTION);
    }

    public static BatchConfig from(ConfigSource config) {
        return new BatchConfig(MAX_LINES.read(config), COMPLETION_WINDOWS.read(config), RETENTION.read(config));
    }

    public BatchConfig withMaxLines(int value) {
        return new BatchConfig(value, completionWindows, retention);
    }

    public BatchConfig withCompletionWindows(List<Duration> value) {
        return new BatchConfig(maxLines, value, retention);
    }
}
