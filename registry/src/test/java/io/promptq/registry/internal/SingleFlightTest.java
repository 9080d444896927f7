package io.promptq.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SingleFlightTest {

    @Test
    void anInterruptedLoadFailsOnlyItsOwnCallerWhileTheWaitersLoadAgain() throws Exception {
        ConcurrentHashMap<String, String> cache = new ConcurrentHashMap<>();
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch firstLoadStarted = new CountDownLatch(1);
        SingleFlight<String, String> flight = new SingleFlight<>(cache::get, key -> {
            if (loads.incrementAndGet() == 1) {
                firstLoadStarted.countDown();
                try {
                    new CountDownLatch(1).await(); // until interrupted, like a blocked HTTP call
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SchemaRegistryException("Interrupted while calling the schema registry", e);
                }
            }
            cache.put(key, "schema of " + key);
            return "schema of " + key;
        });
        AtomicReference<Object> leaderOutcome = new AtomicReference<>();
        AtomicReference<Object> waiterOutcome = new AtomicReference<>();

        Thread leader = Thread.ofVirtual().start(() -> leaderOutcome.set(outcome(flight, "7")));
        firstLoadStarted.await();
        Thread waiter = Thread.ofVirtual().start(() -> waiterOutcome.set(outcome(flight, "7")));
        while (waiter.getState() != Thread.State.WAITING) {
            Thread.sleep(1);
        }
        leader.interrupt();

        assertThat(leader.join(Duration.ofSeconds(10))).isTrue();
        assertThat(waiter.join(Duration.ofSeconds(10))).isTrue();
        assertThat(leaderOutcome.get()).isInstanceOf(SchemaRegistryException.class);
        assertThat(waiterOutcome.get()).isEqualTo("schema of 7");
        assertThat(loads).hasValue(2);
    }

    private static Object outcome(SingleFlight<String, String> flight, String key) {
        try {
            return flight.get(key);
        } catch (RuntimeException e) {
            return e;
        }
    }
}
