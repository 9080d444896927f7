package io.promptq.worker.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Decides what happens after a failed provider attempt.
 *
 * <ul>
 *   <li>Permanent failures are never retried; after {@code maxAttempts} attempts (in-process and topic retries
 *       together) the job is given up.</li>
 *   <li>Up to {@code localRetries} quick in-process retries come first (default none), each after a full-jitter
 *       delay in [0, {@code localRetryDelay}], unless the provider's Retry-After is longer than that.</li>
 *   <li>Then the job goes to a retry tier: the tier after the one it came from (tier 0 for a fresh job), capped
 *       at the last tier. The delays of the tiers grow (5 s, 30 s, 5 min by default) and each delay gets
 *       <b>full jitter</b>: the job is due after a uniformly random delay in [0, tier delay], which spreads
 *       the retries of a burst of failures over the whole tier interval instead of replaying the burst.</li>
 *   <li>A Retry-After (HTTP 429) is a floor: the delay is never shorter; if it exceeds the tier's delay the job
 *       moves on to the first tier whose delay covers it, so a long wait does not hold up a short tier. The floor
 *       is capped at {@code maxRetryAfter} (unbounded unless set), so a provider asking for an hour cannot park a
 *       job that long.</li>
 * </ul>
 * Immutable and thread-safe; the random source is injectable for tests.
 */
public final class RetryPolicy {

    /** No cap on Retry-After. */
    private static final Duration UNBOUNDED = Duration.ofSeconds(Long.MAX_VALUE);

    private final List<Duration> tierDelays;
    private final int maxAttempts;
    private final int localRetries;
    private final Duration localRetryDelay;
    private final Duration maxRetryAfter;
    private final DoubleSupplier random;

    private RetryPolicy(List<Duration> tierDelays, int maxAttempts, int localRetries, Duration localRetryDelay,
            Duration maxRetryAfter, DoubleSupplier random) {
        Objects.requireNonNull(tierDelays, "tierDelays");
        if (tierDelays.isEmpty()) {
            throw new IllegalArgumentException("tierDelays must not be empty");
        }
        for (int i = 0; i < tierDelays.size(); i++) {
            Duration d = Objects.requireNonNull(tierDelays.get(i), "tier delay");
            if (d.isNegative()) {
                throw new IllegalArgumentException("tier delays must not be negative, but was " + tierDelays);
            }
            if (i > 0 && d.compareTo(tierDelays.get(i - 1)) < 0) {
                throw new IllegalArgumentException("tier delays must not decrease, but were " + tierDelays);
            }
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + maxAttempts);
        }
        if (localRetries < 0) {
            throw new IllegalArgumentException("localRetries must not be negative, but was " + localRetries);
        }
        this.tierDelays = List.copyOf(tierDelays);
        this.maxAttempts = maxAttempts;
        this.localRetries = localRetries;
        this.localRetryDelay = Objects.requireNonNull(localRetryDelay, "localRetryDelay");
        this.maxRetryAfter = Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("maxRetryAfter must not be negative, but was " + maxRetryAfter);
        }
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * A policy with the given tier delays (non-decreasing) and attempt budget, and no in-process retries.
     */
    public static RetryPolicy of(List<Duration> tierDelays, int maxAttempts) {
        return new RetryPolicy(tierDelays, maxAttempts, 0, Duration.ZERO, UNBOUNDED,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** A copy that first retries up to {@code retries} times in-process, each after up to {@code maxDelay}. */
    public RetryPolicy withLocalRetries(int retries, Duration maxDelay) {
        return new RetryPolicy(tierDelays, maxAttempts, retries, maxDelay, maxRetryAfter, random);
    }

    /** A copy that honours a provider's Retry-After only up to {@code max}; longer ones are capped to it. */
    public RetryPolicy withMaxRetryAfter(Duration max) {
        return new RetryPolicy(tierDelays, maxAttempts, localRetries, localRetryDelay, max, random);
    }

    /** A copy drawing its jitter from {@code uniform}, which returns values in [0, 1). */
    public RetryPolicy withRandom(DoubleSupplier uniform) {
        return new RetryPolicy(tierDelays, maxAttempts, localRetries, localRetryDelay, maxRetryAfter, uniform);
    }

    public List<Duration> tierDelays() {
        return tierDelays;
    }

    public int tiers() {
        return tierDelays.size();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * Decides after a failed attempt.
     *
     * @param attemptsMade provider attempts made so far, the failed one included (at least 1)
     * @param localRetriesMade in-process retries already made for the current delivery of the job
     * @param previousTier the retry tier the job was read from, or -1 for a job read from the jobs topic
     * @param retryable whether the failure is transient
     * @param retryAfter the provider's Retry-After, if any: a floor for the delay, capped at the policy's maximum
     * @param failedAt when the attempt failed
     */
    public RetryDecision decide(int attemptsMade, int localRetriesMade, int previousTier, boolean retryable,
            Optional<Duration> retryAfter, Instant failedAt) {
        if (!retryable) {
            return new RetryDecision.GiveUp(RetryDecision.GiveUpReason.PERMANENT_ERROR);
        }
        if (attemptsMade >= maxAttempts) {
            return new RetryDecision.GiveUp(RetryDecision.GiveUpReason.MAX_ATTEMPTS);
        }
        Duration floor = min(retryAfter.filter(d -> !d.isNegative()).orElse(Duration.ZERO), maxRetryAfter);
        if (localRetriesMade < localRetries && floor.compareTo(localRetryDelay) <= 0) {
            return new RetryDecision.RetryLocally(max(jitter(localRetryDelay), floor));
        }
        int last = tierDelays.size() - 1;
        int tier = Math.min(Math.max(previousTier + 1, 0), last);
        while (tier < last && tierDelays.get(tier).compareTo(floor) < 0) {
            tier++;
        }
        Duration delay = max(jitter(tierDelays.get(tier)), floor);
        return new RetryDecision.RetryOnTopic(tier, failedAt.plus(delay), delay);
    }

    /**
     * The tier for a job parked without an attempt (its model cannot be served for {@code wait}): the tier it came from
     * (tier 0 for a fresh job), or a later one whose delay covers the wait - like a Retry-After floor, so that a long
     * park does not hold up the retries queued behind it on a short tier.
     *
     * @param previousTier the retry tier the job was read from, or -1 for a job read from the jobs topic
     */
    public int parkTier(int previousTier, Duration wait) {
        int last = tierDelays.size() - 1;
        int tier = Math.min(Math.max(previousTier, 0), last);
        while (tier < last && tierDelays.get(tier).compareTo(wait) < 0) {
            tier++;
        }
        return tier;
    }

    /**
     * Full jitter: uniform in [0, bound], in whole milliseconds with both ends included. Not
     * {@code Backoff.fixed(bound).fullJitter()}: that draws nanoseconds strictly below the bound, so the delays
     * (and the due times of topic retries) would change.
     */
    private Duration jitter(Duration bound) {
        double u = random.getAsDouble();
        if (!(u >= 0 && u < 1)) {
            u = 0;
        }
        return Duration.ofMillis((long) Math.floor(u * (bound.toMillis() + 1)));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return "RetryPolicy[tiers=" + tierDelays + ", maxAttempts=" + maxAttempts + ", localRetries=" + localRetries
                + ", localRetryDelay=" + localRetryDelay
                + (maxRetryAfter.equals(UNBOUNDED) ? "" : ", maxRetryAfter=" + maxRetryAfter) + ", jitter=full]";
    }
}
