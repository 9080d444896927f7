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
 * Creates the producer's topics (the jobs topic and the idempotency ledger) if they are missing, through the shared {@link TopicProvisioner}, retrying in the
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

    private TopicCreator(Admin admin, List<TopicSpec> topics, Duration attemptTimeout, Backoff backoff) {
        TopicProvisioner provisioner = TopicProvisioner.create(admin, attemptTimeout);
        List<TopicSpec> copy = List.copyOf(topics);
        this.thread = Thread.ofVirtual().name("promptq-producer-topic-creator")
                .start(() -> run(provisioner, copy, backoff));
    }

    /** Starts creating {@code topic}, each try taking at most {@code attemptTimeout}. */
    public static TopicCreator start(Admin admin, TopicSpec topic, Duration attemptTimeout) {
        return start(admin, List.of(topic), attemptTimeout, DEFAULT_BACKOFF);
    }

    /** Starts creating {@code topics}, each try taking at most {@code attemptTimeout}. */
    public static TopicCreator start(Admin admin, List<TopicSpec> topics, Duration attemptTimeout) {
        return start(admin, topics, attemptTimeout, DEFAULT_BACKOFF);
    }

    /** As {@link #start(Admin, TopicSpec, Duration)}, waiting between tries as {@code backoff} says. */
    public static TopicCreator start(Admin admin, TopicSpec topic, Duration attemptTimeout, Backoff backoff) {
        return start(admin, List.of(topic), attemptTimeout, backoff);
    }

    /** As {@link #start(Admin, List, Duration)}, waiting between tries as {@code backoff} says. */
    public static TopicCreator start(Admin admin, List<TopicSpec> topics, Duration attemptTimeout, Backoff backoff) {
        return new TopicCreator(admin, topics, attemptTimeout, backoff);
    }

    /** Waits up to {@code timeout} for the topics to exist; returns whether they do. */
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

    /** Completes when the topics exist; fails if a bounded backoff gave up. */
    CompletableFuture<Void> completion() {
        return done;
    }

    private void run(TopicProvisioner provisioner, List<TopicSpec> topics, Backoff backoff) {
        String names = String.join(", ", topics.stream().map(TopicSpec::name).toList());
        Backoff.Attempts attempts = backoff.start();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                provisioner.ensure(topics);
                done.complete(null);
                return;
            } catch (TopicProvisioningException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.error("Giving up creating topics {} after {} tries: {}", names, attempts.failures(),
                            e.getMessage());
                    done.completeExceptionally(e);
                    return;
                }
                log.warn("Cannot create topics {} yet (retrying in {} ms): {}", names, wait.get().toMillis(),
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
