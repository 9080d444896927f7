package io.promptq.llm;

import io.promptq.config.Durations;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How long a simulated provider takes to answer. Written as a spec string so it fits one environment
 * variable: {@code fixed:200ms}, {@code uniform:100ms-500ms} or {@code lognormal:median=300ms,p99=2s}
 * (durations as {@link Durations} reads them: {@code 250ms}, {@code 1.5s}, {@code 1m}; a bare number means
 * milliseconds).
 *
 * <p>Log-normal is the realistic one for LLM endpoints: most answers cluster around the median with a
 * long tail. It is parameterised by the median and the 99th percentile because those are what one reads
 * off a provider's dashboard.
 */
public sealed interface LatencyDistribution {

    /** What a spec string must look like (used in error messages). */
    String EXPECTED_FORM = "must be fixed:<d>, uniform:<min>-<max> or lognormal:median=<d>,p99=<d> (e.g. uniform:100ms-500ms)";

    /** Draws one latency. Pure: the result depends only on the generator's state. */
    Duration sample(RandomGenerator random);

    /** The spec string this distribution was (or could have been) parsed from. */
    String spec();

    static LatencyDistribution fixed(Duration latency) {
        return new Fixed(latency);
    }

    static LatencyDistribution uniform(Duration min, Duration max) {
        return new Uniform(min, max);
    }

    static LatencyDistribution lognormal(Duration median, Duration p99) {
        return new LogNormal(median, p99);
    }

    /**
     * Parses a spec string.
     *
     * @throws IllegalArgumentException with a message describing the expected form
     */
    static LatencyDistribution parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String text = spec.trim().toLowerCase(Locale.ROOT);
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(EXPECTED_FORM);
        }
        String kind = text.substring(0, colon).trim();
        String args = text.substring(colon + 1).trim();
        return switch (kind) {
            case "fixed" -> fixed(Durations.parse(args));
            case "uniform" -> {
                String[] bounds = args.split("-");
                if (bounds.length != 2) {
                    throw new IllegalArgumentException("uniform needs two bounds such as uniform:100ms-500ms");
                }
                yield uniform(Durations.parse(bounds[0]), Durations.parse(bounds[1]));
            }
            case "lognormal" -> {
                Map<String, Duration> params = new HashMap<>();
                for (String part : args.split(",")) {
                    String[] kv = part.split("=");
                    if (kv.length != 2) {
                        throw new IllegalArgumentException("lognormal needs median=...,p99=... such as lognormal:median=300ms,p99=2s");
                    }
                    params.put(kv[0].trim(), Durations.parse(kv[1]));
                }
                if (!params.containsKey("median") || !params.containsKey("p99") || params.size() != 2) {
                    throw new IllegalArgumentException("lognormal needs exactly median=... and p99=..., such as lognormal:median=300ms,p99=2s");
                }
                yield lognormal(params.get("median"), params.get("p99"));
            }
            default -> throw new IllegalArgumentException(EXPECTED_FORM);
        };
    }

    /** A duration of a spec; specs are written in milliseconds, so zero reads {@code 0ms}. */
    private static String specOf(Duration d) {
        return d.isZero() ? "0ms" : Durations.format(d);
    }

    private static void requireNonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, but was " + Durations.format(d));
        }
    }

    /** Always the same latency. */
    record Fixed(Duration latency) implements LatencyDistribution {
        public Fixed {
            requireNonNegative(latency, "fixed latency");
        }

        @Override
        public Duration sample(RandomGenerator random) {
            return latency;
        }

        @Override
        public String spec() {
            return "fixed:" + specOf(latency);
        }
    }

    /** Uniform between {@code min} and {@code max}, both inclusive. */
    record Uniform(Duration min, Duration max) implements LatencyDistribution {
        public Uniform {
            requireNonNegative(min, "uniform minimum");
            requireNonNegative(max, "uniform maximum");
            if (min.compareTo(max) > 0) {
                throw new IllegalArgumentException("uniform minimum " + Durations.format(min) + " exceeds maximum " + Durations.format(max));
            }
        }

        @Override
        public Duration sample(RandomGenerator random) {
            long lo = min.toNanos();
            long hi = max.toNanos();
            return lo == hi ? min : Duration.ofNanos(random.nextLong(lo, hi + 1));
        }

        @Override
        public String spec() {
            return "uniform:" + specOf(min) + "-" + specOf(max);
        }
    }

    /** Log-normal with the given median and 99th percentile ({@code p99 > median > 0}). */
    record LogNormal(Duration median, Duration p99) implements LatencyDistribution {
        /** The standard normal's 99th percentile. */
        private static final double Z_99 = 2.3263478740408408;

        public LogNormal {
            requireNonNegative(median, "lognormal median");
            requireNonNegative(p99, "lognormal p99");
            if (median.isZero() || p99.compareTo(median) <= 0) {
                throw new IllegalArgumentException("lognormal needs p99 > median > 0, but was median=" + Durations.format(median) + ", p99=" + Durations.format(p99));
            }
        }

        /** Location parameter: ln(median in nanoseconds). */
        public double mu() {
            return Math.log(median.toNanos());
        }

        /** Scale parameter, chosen so that the 99th percentile lands on {@code p99}. */
        public double sigma() {
            return (Math.log(p99.toNanos()) - mu()) / Z_99;
        }

        @Override
        public Duration sample(RandomGenerator random) {
            double nanos = Math.exp(mu() + sigma() * random.nextGaussian());
            return Duration.ofNanos((long) Math.min(nanos, Long.MAX_VALUE / 2.0));
        }

        @Override
        public String spec() {
            return "lognormal:median=" + specOf(median) + ",p99=" + specOf(p99);
        }
    }
}
