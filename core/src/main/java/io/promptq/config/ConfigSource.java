package io.promptq.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An immutable set of configuration entries (environment-variable style keys such as
 * {@code PROMPTQ_WORKER_CONCURRENCY}) with typed, validating accessors. Blank values count as unset.
 *
 * <p>Services read all their settings through one of these, so that every key is parsed and checked
 * in one place and an invalid value stops the start-up with a message naming the key.
 */
public final class ConfigSource {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

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

    public int integer(String key, int defaultValue, int min, int max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw ConfigException.invalid(key, raw.get(), "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, raw.get(), "must be an integer between " + min + " and " + max);
        }
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value < min || value > max) {
                throw ConfigException.invalid(key, raw.get(), "must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, raw.get(), "must be an integer between " + min + " and " + max);
        }
    }

    public double decimal(String key, double defaultValue, double min, double max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            double value = Double.parseDouble(raw.get());
            if (!(value >= min && value <= max)) {
                throw ConfigException.invalid(key, raw.get(), "must be a number between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, raw.get(), "must be a number between " + min + " and " + max);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw ConfigException.invalid(key, raw.get(), "must be true or false");
        };
    }

    /**
     * A duration written as {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, {@code 1d}, a bare number of
     * milliseconds, or ISO-8601 ({@code PT5S}); it must lie in [{@code min}, {@code max}].
     */
    public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        Duration value = parseDuration(key, raw.get());
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw ConfigException.invalid(key, raw.get(), "must be between " + format(min) + " and " + format(max));
        }
        return value;
    }

    /** A comma-separated list of durations, each as accepted by {@link #duration}. */
    public List<Duration> durations(String key, List<Duration> defaultValue, Duration min, Duration max) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        List<Duration> values = new ArrayList<>();
        for (String item : raw.get().split(",")) {
            if (item.isBlank()) {
                continue;
            }
            Duration value = parseDuration(key, item.trim());
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw ConfigException.invalid(key, raw.get(), "each must be between " + format(min) + " and " + format(max));
            }
            values.add(value);
        }
        if (values.isEmpty()) {
            throw ConfigException.invalid(key, raw.get(), "must list at least one duration");
        }
        return List.copyOf(values);
    }

    /** A comma-separated list; blank items are dropped. */
    public List<String> list(String key, List<String> defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        List<String> values = new ArrayList<>();
        for (String item : raw.get().split(",")) {
            if (!item.isBlank()) {
                values.add(item.trim());
            }
        }
        return List.copyOf(values);
    }

    /** An enum constant, matched case-insensitively, with {@code -} read as {@code _}. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        Optional<String> raw = optional(key);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String wanted = raw.get().replace('-', '_').toUpperCase(Locale.ROOT);
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name().toLowerCase(Locale.ROOT));
        }
        throw ConfigException.invalid(key, raw.get(), "must be one of " + allowed);
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

    static Duration parseDuration(String key, String raw) {
        String text = raw.trim();
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw ConfigException.invalid(key, raw, "must be a duration such as 500ms, 5s, 2m or PT5S");
            }
        }
        Matcher m = DURATION.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw ConfigException.invalid(key, raw, "must be a duration such as 500ms, 5s, 2m or PT5S");
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            default -> amount * 86_400_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }

    private static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        } else if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        } else if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        return "ConfigSource" + entries.keySet();
    }
}
