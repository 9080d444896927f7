package io.promptq.aggregator.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What to do when a Kafka Streams thread dies: replace it (with exactly-once, the new thread resumes from
 * the last commit, so nothing is counted twice) unless threads keep dying – more than {@code maxFailures}
 * within {@code period} – then stop the client, so that its process exits and can be restarted. Transient
 * failures (registry or broker briefly unreachable) thus heal; persistent ones surface. A schema registry fault
 * ({@link RegistryStatus#isRegistryFault}) always replaces the thread and is not counted: it is a fault of the
 * system that heals by itself, the record waits for it, and {@link RegistryWaitingDeserializer}'s backoff paces
 * the replacements.
 */
public final class ThreadFailurePolicy implements StreamsUncaughtExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ThreadFailurePolicy.class);

    private final int maxFailures;
    private final Duration period;
    private final Clock clock;
    private final Deque<Long> failures = new ArrayDeque<>();

    public ThreadFailurePolicy(int maxFailures, Duration period, Clock clock) {
        this.maxFailures = maxFailures;
        this.period = period;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (RegistryStatus.isRegistryFault(exception)) {
            log.warn("A Kafka Streams thread stopped while the schema registry is unavailable; replacing it: {}",
                    exception.getMessage());
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        long now = clock.millis();
        failures.addLast(now);
        while (!failures.isEmpty() && failures.peekFirst() < now - period.toMillis()) {
            failures.removeFirst();
        }
        if (failures.size() > maxFailures) {
            log.error("A Kafka Streams thread failed ({} failures within {}); stopping the aggregator", failures.size(),
                    period, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        log.error("A Kafka Streams thread failed ({} of at most {} within {}); replacing it", failures.size(), maxFailures,
                period, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
