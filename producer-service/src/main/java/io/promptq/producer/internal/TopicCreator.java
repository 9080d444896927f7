package io.promptq.producer.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the jobs topic if it is missing (replication factor: the broker's default), retrying in the
 * background while Kafka is unreachable so the service can start before the broker does.
 */
public final class TopicCreator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Thread thread;

    private TopicCreator(Admin admin, String topic, int partitions, Duration attemptTimeout) {
        this.thread = Thread.ofVirtual().name("promptq-producer-topic-creator")
                .start(() -> run(admin, topic, partitions, attemptTimeout));
    }

    /** Starts creating {@code topic} with {@code partitions} partitions. */
    public static TopicCreator start(Admin admin, String topic, int partitions, Duration attemptTimeout) {
        return new TopicCreator(admin, topic, partitions, attemptTimeout);
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

    private void run(Admin admin, String topic, int partitions, Duration attemptTimeout) {
        long backoffMs = 500;
        while (!Thread.currentThread().isInterrupted()) {
            int ms = (int) attemptTimeout.toMillis();
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())),
                        new CreateTopicsOptions().timeoutMs(ms)).all().get(ms, TimeUnit.MILLISECONDS);
                log.info("Created topic {} with {} partitions", topic, partitions);
                done.complete(null);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    log.debug("Topic {} already exists", topic);
                    done.complete(null);
                    return;
                }
                log.warn("Cannot create topic {} yet (retrying in {} ms): {}", topic, backoffMs, e.getCause().toString());
            } catch (TimeoutException e) {
                log.warn("Cannot create topic {} yet: Kafka did not answer within {} ms (retrying)", topic, ms);
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
        }
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
