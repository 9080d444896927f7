package io.promptq.producer.internal;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicProvisioningException;
import io.promptq.kafka.TopicSpec;
import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the jobs topic if it is missing, through the shared {@link TopicProvisioner}, retrying in the
 * background while Kafka is unreachable so the service can start before the broker does.
 *
 * <p>Each try may take {@code attemptTimeout}; between tries it waits {@link #DEFAULT_BACKOFF}. The retries have
 * no budget of their own, by design (a producer that gave up would never get its topic once Kafka is back): they
 * are bounded by the service's lifetime and end when the topic exists or {@link #close()} interrupts them.
 */
public final class TopicCreator implements AutoCloseable {

    /** Waits between tries: 500 ms doubling up to 10 s, full jitter; bounded by {@link #close()}. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(500), Duration.ofSeconds(10))
            .fullJitter().build();

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Thread thread;

    private TopicCreator(Admin admin, TopicSpec topic, Duration attemptTimeout, Backoff backoff) {
        TopicProvisioner provisioner = TopicProvisioner.create(admin, attemptTimeout);
        this.thread = Thread.ofVirtual().name("promptq-producer-topic-creator")
                .start(() -> run(provisioner, topic, backoff));
    }

    /** Starts creating {@code topic}, each try taking at most {@code attemptTimeout}. */
    public static TopicCreator start(Admin admin, TopicSpec topic, Duration attemptTimeout) {
        return start(admin, topic, attemptTimeout, DEFAULT_BACKOFF);
    }

    /** As {@link #start(Admin, TopicSpec, Duration)}, waiting between tries as {@code backoff} says. */
    public static TopicCreator start(Admin admin, TopicSpec topic, Duration attemptTimeout, Backoff backoff) {
        return new TopicCreator(admin, topic, attemptTimeout, backoff);
    }

    /** Waits up to {@code timeout} for the topic to exist; returns whether it does. */
    public boolean await(Duration timeout) {
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** Completes when the topic exists; fails if a bounded backoff gave up. */
    CompletableFuture<Void> completion() {
        return done;
    }

    private void run(TopicProvisioner provisioner, TopicSpec topic, Backoff backoff) {
        Backoff.Attempts attempts = backoff.start();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                provisioner.ensure(List.of(topic));
                done.complete(null);
                return;
            } catch (TopicProvisioningException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.error("Giving up creating topic {} after {} tries: {}", topic.name(), attempts.failures(),
                            e.getMessage());
                    done.completeExceptionally(e);
                    return;
                }
                log.warn("Cannot create topic {} yet (retrying in {} ms): {}", topic.name(), wait.get().toMillis(),
                        e.getMessage());
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
