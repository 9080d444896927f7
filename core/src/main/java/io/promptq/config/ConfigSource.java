package io.promptq.config;

import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;

/**
 * An immutable set of configuration entries (environment-variable style keys such as
 * {@code PROMPTQ_WORKER_CONCURRENCY}) with typed, validating accessors. Blank values count as unset.
 *
 * <p>Services read all their settings through one of these, usually with a declared {@link ConfigKey}, so
 * that every key is parsed and checked in one place and an invalid value stops the start-up with a message
 * naming the key. The typed accessors below are shorthands for an ad-hoc {@code ConfigKey}.
 */
public final class ConfigSource {

    private final Map<String, String> entries;
    private final Set<String> keysRead = ConcurrentHashMap.newKeySet();
    private final Set<String> prefixesRead = ConcurrentHashMap.newKeySet();

    private ConfigSource(Map<String, String> entries) {
        this.entries = Collections.unmodifiableMap(new TreeMap<>(entries));
    }

    /** The process environment. */
    public static ConfigSource fromEnvironment() {
        return new ConfigSource(System.getenv());
    }

    public static ConfigSource of(Map<String, String> entries) {
        return new ConfigSource(entries);
    }

    public static ConfigSource empty() {
        return new ConfigSource(Map.of());
    }

    /** A copy in which {@code overrides} replace or add entries. */
    public ConfigSource with(Map<String, String> overrides) {
        Map<String, String> merged = new HashMap<>(entries);
        merged.putAll(overrides);
        return new ConfigSource(merged);
    }

    /** A copy with one entry replaced or added. */
    public ConfigSource with(String key, String value) {
        return with(Map.of(key, value));
    }

    public Optional<String> optional(String key) {
        keysRead.add(key);
        String value = entries.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String defaultValue) {
        return optional(key).orElse(defaultValue);
    }

    public String required(String key) {
        return optional(key).orElseThrow(() -> new ConfigException(key, "is required but not set"));
    }

    /** An integer in [{@code min}, {@code max}]; see {@link ConfigKey#integer}. */
    public int integer(String key, int defaultValue, int min, int max) {
        return ConfigKey.integer(key, defaultValue, min, max).read(this);
    }

    /** A long in [{@code min}, {@code max}]; see {@link ConfigKey#longInteger}. */
    public long longValue(String key, long defaultValue, long min, long max) {
        return ConfigKey.longInteger(key, defaultValue, min, max).read(this);
    }

    /** A decimal number in [{@code min}, {@code max}]; see {@link ConfigKey#decimal}. */
    public double decimal(String key, double defaultValue, double min, double max) {
        return ConfigKey.decimal(key, defaultValue, min, max).read(this);
    }

    /** {@code true}/{@code false}, {@code yes}/{@code no}, {@code 1}/{@code 0} or {@code on}/{@code off}. */
    public boolean bool(String key, boolean defaultValue) {
        return ConfigKey.bool(key, defaultValue).read(this);
    }

    /** A duration as {@link Durations#parse} reads it; it must lie in [{@code min}, {@code max}]. */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        return ConfigKey.duration(key, defaultValue, min, max).read(this);
    }

    /** A comma-separated list of durations, each as accepted by {@link #duration}. */
    public List<Duration> durations(String key, List<Duration> defaultValue, Duration min, Duration max) {
        return ConfigKey.durations(key, defaultValue, min, max).read(this);
    }

    /** A comma-separated list; blank items are dropped. */
    public List<String> list(String key, List<String> defaultValue) {
        return ConfigKey.list(key).withDefault(defaultValue).read(this);
    }

    /** An enum constant, matched case-insensitively, with {@code -} read as {@code _}. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        return ConfigKey.enumeration(key, type, defaultValue).read(this);
    }

    /** The entries whose key starts with {@code prefix}, with the prefix removed from their keys. */
    public Map<String, String> withPrefix(String prefix) {
        prefixesRead.add(prefix);
        Map<String, String> result = new TreeMap<>();
        entries.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length() && value != null && !value.isBlank()) {
                result.put(key.substring(prefix.length()), value.trim());
            }
        });
        return Collections.unmodifiableMap(result);
    }

    /**
     * Whether any accessor of this source has looked up {@code key}, directly or through
     * {@link #withPrefix}. Lets tests prove that a deployment file only sets keys a service reads.
     */
    public boolean wasRead(String key) {
        if (keysRead.contains(key)) {
            return true;
        }
        for (String prefix : prefixesRead) {
            if (key.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ConfigSource" + entries.keySet();
    }
}
