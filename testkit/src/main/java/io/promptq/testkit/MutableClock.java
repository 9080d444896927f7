package io.promptq.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that tests move by hand, for code that takes a {@link Clock} to decide by time (deadlines, windows,
 * failure periods): the test sets the time instead of sleeping. Millisecond resolution, UTC, thread-safe.
 */
public final class MutableClock extends Clock {

    private final AtomicLong millis;

    /** A clock that reads {@code start} until it is moved. */
    public MutableClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** Moves the clock forward by {@code d} (backward if negative). */
    public void advance(Duration d) {
        millis.addAndGet(d.toMillis());
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
