package io.promptq.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Exponential backoff with jitter and a budget: the n-th wait is at most {@code min(max, initial * multiplier^(n-1))},
 * drawn from {@code [(1 - jitter) * cap, cap]} ({@code jitter = 1}: full jitter, AWS style), and a loop gives up
 * after {@code maxAttempts} failed attempts or once {@code maxElapsed} has passed since it started, whichever comes
 * first. The shape is Resilience4j's {@code IntervalFunction.ofExponentialRandomBackoff}; the budget and the
 * injectable sleeper, clock and random source are what promptq's loops need on top.
 *
 * <p>Immutable and thread-safe; each loop takes its own {@link Attempts} from {@link #start()}:
 * <pre>{@code
 * Backoff.Attempts attempts = backoff.start();
 * while (true) {
 *     try {
 *         return send();
 *     } catch (TimeoutException e) {
 *         if (!attempts.backOff()) {   // sleeps; false once the budget is spent
 *             throw e;
 *         }
 *     }
 * }
 * }</pre>
 */
public final class Backoff {

    /** Waits for a duration; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        /** The real one: {@link Thread#sleep(Duration)}. */
        Sleeper THREAD = Thread::sleep;

        void sleep(Duration duration) throws InterruptedException;
    }

    public static final double DEFAULT_MULTIPLIER = 2.0;
    public static final double FULL_JITTER = 1.0;

    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final int maxAttempts;
    private final Duration maxElapsed;
    private final Sleeper sleeper;
    private final LongSupplier nanoClock;
    private final DoubleSupplier random;

    private Backoff(Builder b) {
        this.initialNanos = b.initial.toNanos();
        this.maxNanos = b.max.toNanos();
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxAttempts = b.maxAttempts;
        this.maxElapsed = b.maxElapsed;
        this.sleeper = b.sleeper;
        this.nanoClock = b.nanoClock;
        this.random = b.random;
    }

    /** Starts a builder: waits from {@code initial} doubling up to {@code max}, no jitter, no budget. */
    public static Builder exponential(Duration initial, Duration max) {
        return new Builder(initial, max);
    }

    /** The same wait every time (multiplier 1). */
    public static Builder fixed(Duration interval) {
        return new Builder(interval, interval).multiplier(1.0);
    }

    /**
     * The longest wait after the {@code failures}-th failed attempt (from 1), before jitter: {@code min(max,
     * initial * multiplier^(failures-1))}. Pure.
     */
    public Duration ceiling(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures must be at least 1, but was " + failures);
        }
        return Duration.ofNanos(ceilingNanos(failures));
    }

    private long ceilingNanos(int failures) {
        double nanos = initialNanos * Math.pow(multiplier, failures - 1);
        return nanos >= maxNanos ? maxNanos : (long) nanos;
    }

    /** The wait after the {@code failures}-th failed attempt, jitter applied. */
    public Duration delay(int failures) {
        long ceiling = ceilingNanos(Math.max(1, failures));
        if (jitter == 0 || ceiling == 0) {
            return Duration.ofNanos(ceiling);
        }
        double r = random.getAsDouble();
        long floor = (long) (ceiling * (1 - jitter));
        return Duration.ofNanos(floor + (long) ((ceiling - floor) * r));
    }

    /** Failed attempts after which a loop gives up ({@link Integer#MAX_VALUE}: no limit). */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Time after which a loop gives up, counted from {@link #start()}; empty: no limit. */
    public Optional<Duration> maxElapsed() {
        return Optional.ofNullable(maxElapsed);
    }

    /** A copy with another attempt budget. */
    public Backoff withMaxAttempts(int maxAttempts) {
        return toBuilder().maxAttempts(maxAttempts).build();
    }

    /** A builder holding this backoff's settings. */
    public Builder toBuilder() {
        Builder b = new Builder(Duration.ofNanos(initialNanos), Duration.ofNanos(maxNanos))
                .multiplier(multiplier).jitter(jitter).maxAttempts(maxAttempts).sleeper(sleeper)
                .nanoClock(nanoClock).random(random);
        b.maxElapsed = maxElapsed;
        return b;
    }

    /** Starts one loop's budget now. */
    public Attempts start() {
        return new Attempts(nanoClock.getAsLong());
    }

    @Override
    public String toString() {
        return "Backoff[initial=" + Duration.ofNanos(initialNanos) + ", max=" + Duration.ofNanos(maxNanos)
                + ", multiplier=" + multiplier + ", jitter=" + jitter
                + ", maxAttempts=" + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts)
                + ", maxElapsed=" + (maxElapsed == null ? "unlimited" : maxElapsed) + "]";
    }

    /** One loop's progress through a {@link Backoff}: failures so far and the time it started. Not thread-safe. */
    public final class Attempts {

        private final long startedAt;
        private int failures;

        private Attempts(long startedAt) {
            this.startedAt = startedAt;
        }

        /** Failed attempts recorded so far. */
        public int failures() {
            return failures;
        }

        /** Time since {@link Backoff#start()}. */
        public Duration elapsed() {
            return Duration.ofNanos(nanoClock.getAsLong() - startedAt);
        }

        /**
         * Records a failed attempt and returns the wait before the next one, or empty once the budget is spent
         * (attempts exhausted, or the wait would end past {@code maxElapsed}).
         */
        public Optional<Duration> next() {
            failures++;
            if (failures >= maxAttempts) {
                return Optional.empty();
            }
            Duration wait = delay(failures);
            if (maxElapsed != null) {
                long remaining = maxElapsed.toNanos() - (nanoClock.getAsLong() - startedAt);
                if (remaining <= 0) {
                    return Optional.empty();
                }
                if (wait.toNanos() > remaining) {
                    wait = Duration.ofNanos(remaining);
                }
            }
            return Optional.of(wait);
        }

        /**
         * Records a failed attempt and sleeps before the next one; {@code false} (without sleeping) once the budget
         * is spent.
         */
        public boolean backOff() throws InterruptedException {
            Optional<Duration> wait = next();
            if (wait.isEmpty()) {
                return false;
            }
            sleep(wait.get());
            return true;
        }

        /** Sleeps {@code wait} with the backoff's sleeper (for loops that log the wait {@link #next()} gave first). */
        public void sleep(Duration wait) throws InterruptedException {
            if (!wait.isZero()) {
                sleeper.sleep(wait);
            }
        }
    }

    /** Settings of a {@link Backoff}, each checked when set. */
    public static final class Builder {

        private final Duration initial;
        private final Duration max;
        private double multiplier = DEFAULT_MULTIPLIER;
        private double jitter;
        private int maxAttempts = Integer.MAX_VALUE;
        private Duration maxElapsed;
        private Sleeper sleeper = Sleeper.THREAD;
        private LongSupplier nanoClock = System::nanoTime;
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

        private Builder(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative()) {
                throw new IllegalArgumentException("initial must not be negative, but was " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max must be at least initial (" + initial + "), but was " + max);
            }
            this.initial = initial;
            this.max = max;
        }

        /** Growth factor per failure, at least 1 (default {@value Backoff#DEFAULT_MULTIPLIER}). */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("multiplier must be at least 1, but was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** Share of each wait that is random, in [0, 1]: 0 none (the default), 1 full jitter. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, but was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Full jitter: each wait uniform in [0, ceiling]. */
        public Builder fullJitter() {
            return jitter(FULL_JITTER);
        }

        /** Give up after this many failed attempts, at least 1 (default: no limit). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Give up once this much time has passed since the loop started (default: no limit). */
        public Builder maxElapsed(Duration maxElapsed) {
            Objects.requireNonNull(maxElapsed, "maxElapsed");
            if (maxElapsed.isNegative()) {
                throw new IllegalArgumentException("maxElapsed must not be negative, but was " + maxElapsed);
            }
            this.maxElapsed = maxElapsed;
            return this;
        }

        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Source of {@link System#nanoTime()}-like readings for the elapsed-time budget. */
        public Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /** Source of uniform draws in [0, 1) for the jitter. */
        public Builder random(DoubleSupplier random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public Backoff build() {
            return new Backoff(this);
        }
    }
}
