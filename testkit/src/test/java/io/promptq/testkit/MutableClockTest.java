package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MutableClockTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void readsItsStartUntilMoved() {
        MutableClock clock = new MutableClock(START);

        assertThat(clock.instant()).isEqualTo(START);
        assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    }

    @Test
    void advanceMovesTheClockByTheDuration() {
        MutableClock clock = new MutableClock(START);

        clock.advance(Duration.ofMinutes(11));

        assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(11)));
    }

    @Test
    void setJumpsToTheInstant() {
        MutableClock clock = new MutableClock(START);
        Instant later = START.plus(Duration.ofDays(3));

        clock.set(later);

        assertThat(clock.instant()).isEqualTo(later);
    }

    @Test
    void withZoneKeepsTheSameMovableClock() {
        MutableClock clock = new MutableClock(START);

        clock.withZone(ZoneOffset.ofHours(2));
        clock.advance(Duration.ofSeconds(1));

        assertThat(clock.withZone(ZoneOffset.ofHours(2)).instant()).isEqualTo(START.plusSeconds(1));
    }
}
