package io.promptq.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * One configuration key, declared once: its name, how its text is parsed, its default and the rules its value
 * must satisfy (like Kafka's {@code ConfigDef.define} or Debezium's {@code Field}). A config record declares
 * each of its keys as a {@code ConfigKey} constant, documented there; its {@code from(ConfigSource)} reads
 * with {@link #read} and its constructor checks programmatic values with {@link #check}, so both paths share
 * one definition and fail with the same message naming the key:
 *
 * <pre>{@code
 * public static final ConfigKey<Integer> MAX_IN_FLIGHT =
 *         ConfigKey.integer("PROMPTQ_WORKER_MAX_IN_FLIGHT", 100, 1, 1_000_000);
 *
 * int maxInFlight = MAX_IN_FLIGHT.read(source);   // parsed, checked, or the default
 * MAX_IN_FLIGHT.check(maxInFlight);               // in the record constructor
 * }</pre>
 *
 * <p>Instances are immutable; {@link #withDefault} and {@link #and} return changed copies.
 *
 * @param <T> the type of the value
 */
public final class ConfigKey<T> {

    private final String name;
    private final Function<String, T> parser;
    private final Function<? super T, String> printer;
    private final @Nullable String parseExpectation;
    private final @Nullable T defaultValue;
    private final List<Rule<T>> rules;
    private final boolean secret;

    private ConfigKey(String name, Function<String, T> parser, Function<? super T, String> printer,
            @Nullable String parseExpectation, @Nullable T defaultValue, List<Rule<T>> rules, boolean secret) {
        this.name = requireName(name);
        this.parser = Objects.requireNonNull(parser, "parser");
        this.printer = Objects.requireNonNull(printer, "printer");
        this.parseExpectation = parseExpectation;
        this.defaultValue = defaultValue;
        this.rules = List.copyOf(rules);
        this.secret = secret;
    }

    /** A key read with {@code parser} and printed with {@code printer}, without default or rules. */
    public static <T> ConfigKey<T> of(String name, Function<String, T> parser, Function<? super T, String> printer) {
        return new ConfigKey<>(name, parser, printer, null, null, List.of(), false);
    }

    /** A whole number in [{@code min}, {@code max}]. */
    public static ConfigKey<Integer> integer(String name, int defaultValue, int min, int max) {
        return number(name, Integer::valueOf, "an integer", defaultValue, min, max);
    }

    /** A whole number in [{@code min}, {@code max}], as a {@code long}. */
    public static ConfigKey<Long> longInteger(String name, long defaultValue, long min, long max) {
        return number(name, Long::valueOf, "an integer", defaultValue, min, max);
    }

    /** A decimal number in [{@code min}, {@code max}]. */
    public static ConfigKey<Double> decimal(String name, double defaultValue, double min, double max) {
        return number(name, Double::valueOf, "a number", defaultValue, min, max);
    }

    /** A duration in [{@code min}, {@code max}], written as {@link Durations} reads it. */
    public static ConfigKey<Duration> duration(String name, Duration defaultValue, Duration min, Duration max) {
        return new ConfigKey<Duration>(name, Durations::parse, Durations::format, Durations.EXPECTED_FORM, null, List.of(), false)
                .and(range(min, max), "must be between " + Durations.format(min) + " and " + Durations.format(max))
                .withDefault(defaultValue);
    }

    /** A comma-separated, non-empty list of durations, each in [{@code min}, {@code max}]. */
    public static ConfigKey<List<Duration>> durations(String name, List<Duration> defaultValue, Duration min, Duration max) {
        Predicate<Duration> inRange = range(min, max);
        return new ConfigKey<List<Duration>>(name, text -> split(text).stream().map(Durations::parse).toList(),
                values -> values.stream().map(Durations::format).collect(Collectors.joining(",")),
                Durations.EXPECTED_FORM, null, List.of(), false)
                .and(values -> !values.isEmpty(), "must list at least one duration")
                .and(values -> values.stream().allMatch(inRange),
                        "each must be between " + Durations.format(min) + " and " + Durations.format(max))
                .withDefault(defaultValue);
    }

    /** {@code true}/{@code false}, {@code yes}/{@code no}, {@code 1}/{@code 0} or {@code on}/{@code off}. */
    public static ConfigKey<Boolean> bool(String name, boolean defaultValue) {
        return new ConfigKey<>(name, ConfigKey::parseBoolean, String::valueOf, "must be true or false", defaultValue,
                List.of(), false);
    }

    /** Text that must not be blank, without a default (the caller supplies one, or the key is required). */
    public static ConfigKey<String> text(String name) {
        return new ConfigKey<String>(name, Function.identity(), Function.identity(), null, null, List.of(), false)
                .and(value -> !value.isBlank(), "must not be blank");
    }

    /** Text that must not be blank. */
    public static ConfigKey<String> text(String name, String defaultValue) {
        return text(name).withDefault(defaultValue);
    }

    /** A comma-separated list of text items; blank items are dropped; empty by default. */
    public static ConfigKey<List<String>> list(String name) {
        return new ConfigKey<List<String>>(name, ConfigKey::split, values -> String.join(",", values), null, List.of(),
                List.of(), false);
    }

    /** An enum constant, matched case-insensitively, with {@code -} read as {@code _}. */
    public static <E extends Enum<E>> ConfigKey<E> enumeration(String name, Class<E> type, E defaultValue) {
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name().toLowerCase(Locale.ROOT));
        }
        Function<String, E> parser = text -> {
            String wanted = text.replace('-', '_').toUpperCase(Locale.ROOT);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(wanted)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("must be one of " + allowed);
        };
        return new ConfigKey<>(name, parser, constant -> constant.name().toLowerCase(Locale.ROOT), null, defaultValue,
                List.of(), false);
    }

    /** A copy with another default, used when the key is unset or blank. */
    public ConfigKey<T> withDefault(T value) {
        return new ConfigKey<>(name, parser, printer, parseExpectation, Objects.requireNonNull(value, "default of " + name),
                rules, secret);
    }

    /** A copy whose values must also satisfy {@code rule}; {@code expectation} completes "invalid value 'x', ...". */
    public ConfigKey<T> and(Predicate<? super T> rule, String expectation) {
        List<Rule<T>> more = new ArrayList<>(rules);
        more.add(new Rule<>(rule, expectation));
        return new ConfigKey<>(name, parser, printer, parseExpectation, defaultValue, more, secret);
    }

    /** A copy whose values never appear in messages (credentials). */
    public ConfigKey<T> secret() {
        return new ConfigKey<>(name, parser, printer, parseExpectation, defaultValue, rules, true);
    }

    /** The environment-style name, e.g. {@code PROMPTQ_WORKER_MAX_IN_FLIGHT}. */
    public String name() {
        return name;
    }

    /** The value used when the key is unset; empty when the caller computes one or the key is required. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * The value of this key in {@code source}, parsed and checked, or the default when it is unset.
     *
     * @throws ConfigException naming the key, if the value is invalid, or unset without a default
     */
    public T read(ConfigSource source) {
        Optional<T> value = readOptional(source);
        if (value.isPresent()) {
            return value.get();
        }
        if (defaultValue == null) {
            throw new ConfigException(name, "is required but not set");
        }
        return defaultValue;
    }

    /** The value of this key in {@code source}, parsed and checked; empty when it is unset, whatever the default. */
    public Optional<T> readOptional(ConfigSource source) {
        return source.optional(name).map(this::parse);
    }

    /**
     * Parses and checks {@code text} as if it were this key's value.
     *
     * @throws ConfigException naming the key and showing the text (unless secret), if it is invalid
     */
    public T parse(String text) {
        T value;
        try {
            value = parser.apply(text.trim());
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalid(name, shown(text.trim()),
                    parseExpectation != null ? parseExpectation : e.getMessage());
        }
        return check(value, text.trim());
    }

    /**
     * Checks a value set programmatically against the same rules as a parsed one.
     *
     * @return {@code value}
     * @throws ConfigException naming the key and the value (unless secret), if it is missing or invalid
     */
    public T check(@Nullable T value) {
        if (value == null) {
            throw new ConfigException(name, "is required but not set");
        }
        return check(value, printer.apply(value));
    }

    /** How this key writes {@code value}: the form {@link #parse} reads back. */
    public String format(T value) {
        return printer.apply(value);
    }

    private T check(T value, String shown) {
        for (Rule<T> rule : rules) {
            if (!rule.test().test(value)) {
                throw ConfigException.invalid(name, shown(shown), rule.expectation());
            }
        }
        return value;
    }

    private String shown(String text) {
        return secret ? "[hidden]" : text;
    }

    /** The key's name. */
    @Override
    public String toString() {
        return name;
    }

    private static <N extends Number & Comparable<N>> ConfigKey<N> number(String name, Function<String, N> parser,
            String noun, N defaultValue, N min, N max) {
        String bounds = " between " + formatNumber(min) + " and " + formatNumber(max);
        String inRange = noun.equals("a number") ? "must be a number" + bounds : "must be" + bounds;
        return new ConfigKey<N>(name, parser, ConfigKey::formatNumber, "must be " + noun + bounds, null, List.of(), false)
                .and(range(min, max), inRange)
                .withDefault(defaultValue);
    }

    /** Inclusive; a NaN is outside every range. */
    private static <C extends Comparable<? super C>> Predicate<C> range(C min, C max) {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("min " + min + " exceeds max " + max);
        }
        return value -> !(value instanceof Double d && d.isNaN()) && value.compareTo(min) >= 0 && value.compareTo(max) <= 0;
    }

    /** {@code 50} rather than {@code 50.0}; other numbers as Java prints them. */
    private static String formatNumber(Number n) {
        if (n instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return n.toString();
    }

    private static boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static List<String> split(String text) {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return List.copyOf(items);
    }

    private static String requireName(@Nullable String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a configuration key needs a name, but was '" + name + "'");
        }
        return name;
    }

    private record Rule<T>(Predicate<? super T> test, String expectation) {}
}
