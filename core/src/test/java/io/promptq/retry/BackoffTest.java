package io.promptq.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final List<Duration> slept = new ArrayList<>();
    private final AtomicLong nanos = new AtomicLong();

    private Backoff.Builder recording(Backoff.Builder b) {
        return b.sleeper(d -> {
            slept.add(d);
            nanos.addAndGet(d.toNanos());
        }).nanoClock(nanos::get);
    }

    @Test
    void ceilingGrowsByTheMultiplierUpToMax() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofMillis(1000)).build();

        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.ceiling(10_000)).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void fullJitterDrawsBetweenZeroAndTheCeiling() {
        Backoff low = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).fullJitter()
                .random(() -> 0.0).build();
        Backoff high = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)).fullJitter()
                .random(() -> 0.999).build();

        assertThat(low.delay(3)).isEqualTo(Duration.ZERO);
        assertThat(high.delay(3)).isBetween(Duration.ofMillis(399), Duration.ofMillis(400));
    }

    @Test
    void partialJitterKeepsTheLowerShare() {
        Backoff backoff = Backoff.fixed(Duration.ofMillis(1000)).jitter(0.25).random(() -> 0.0).build();

        assertThat(backoff.delay(7)).isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void attemptsStopAfterMaxAttemptsWithoutSleepingAgain() throws InterruptedException {
        Backoff backoff = recording(Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(50))).maxAttempts(4)
                .build();
        Backoff.Attempts attempts = backoff.start();

        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isFalse();

        assertThat(attempts.failures()).isEqualTo(4);
        assertThat(slept).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40));
    }

    @Test
    void elapsedBudgetShortensTheLastWaitAndThenGivesUp() throws InterruptedException {
        Backoff backoff = recording(Backoff.fixed(Duration.ofMillis(400))).maxElapsed(Duration.ofMillis(1000))
                .build();
        Backoff.Attempts attempts = backoff.start();

        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isTrue();
        assertThat(attempts.backOff()).isFalse();

        assertThat(slept).containsExactly(Duration.ofMillis(400), Duration.ofMillis(400), Duration.ofMillis(200));
        assertThat(attempts.elapsed()).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void nextReportsTheWaitSoCallersCanLogItBeforeSleeping() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(5), Duration.ofMillis(5)).maxAttempts(2).build();
        Backoff.Attempts attempts = backoff.start();

        assertThat(attempts.next()).isEqualTo(Optional.of(Duration.ofMillis(5)));
        assertThat(attempts.next()).isEmpty();
    }

    @Test
    void eachLoopHasItsOwnBudget() throws InterruptedException {
        Backoff backoff = recording(Backoff.fixed(Duration.ofMillis(1))).maxAttempts(2).build();

        Backoff.Attempts first = backoff.start();
        assertThat(first.backOff()).isTrue();
        assertThat(first.backOff()).isFalse();

        assertThat(backoff.start().backOff()).isTrue();
    }

    @Test
    void interruptedSleepPropagates() {
        Backoff backoff = Backoff.fixed(Duration.ofMillis(1)).sleeper(d -> {
            throw new InterruptedException("stop");
        }).build();

        assertThatThrownBy(() -> backoff.start().backOff()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void invalidSettingsNameTheSettingAndValue() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("max").hasMessageContaining("PT1S");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ofMillis(-1))).hasMessageContaining("initial");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ZERO).multiplier(0.5)).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ZERO).jitter(1.5)).hasMessageContaining("jitter");
        assertThatThrownBy(() -> Backoff.fixed(Duration.ZERO).maxAttempts(0)).hasMessageContaining("maxAttempts");
    }

    @Test
    void toBuilderKeepsEverySetting() {
        Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(3)).multiplier(3)
                .maxAttempts(9).maxElapsed(Duration.ofMinutes(1)).build();

        Backoff copy = backoff.withMaxAttempts(2);

        assertThat(copy.ceiling(2)).isEqualTo(Duration.ofMillis(300));
        assertThat(copy.maxAttempts()).isEqualTo(2);
        assertThat(copy.maxElapsed()).contains(Duration.ofMinutes(1));
    }
}
