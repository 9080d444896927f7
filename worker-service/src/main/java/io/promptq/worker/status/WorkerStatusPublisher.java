package io.promptq.worker.status;

import io.promptq.schema.WorkerStatus;
import io.promptq.topic.Topic;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the worker's status to the workers topic every interval, from a thread of its own with a producer of its own,
 * so that neither a slow broker nor a missing topic ever touches the poll loop. A failed send or snapshot is counted
 * and logged once per outage (again when sends work again); publishing goes on. {@link #close()} sends a tombstone
 * (the worker left cleanly); {@link #abandon()} does not (as if the process died: the console marks it stale).
 */
public final class WorkerStatusPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerStatusPublisher.class);
    /** Longest {@link #close()} waits for the last status and the tombstone to be acknowledged. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Topic<String, WorkerStatus> topic;
    private final String workerId;
    private final Producer<String, WorkerStatus> producer;
    private final Supplier<WorkerStatus> snapshot;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();

    private WorkerStatusPublisher(Topic<String, WorkerStatus> topic, String workerId,
            Producer<String, WorkerStatus> producer, Supplier<WorkerStatus> snapshot) {
        this.topic = topic;
        this.workerId = workerId;
        this.producer = producer;
        this.snapshot = snapshot;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("promptq-worker-status-" + workerId).daemon().factory());
    }

    /**
     * Starts publishing {@code snapshot} every {@code interval} (the first one at once) with a producer built from
     * {@code producerConfig} (idempotent, not transactional).
     */
    public static WorkerStatusPublisher start(Topic<String, WorkerStatus> topic, String workerId,
            Map<String, Object> producerConfig, Duration interval, Supplier<WorkerStatus> snapshot) {
        Producer<String, WorkerStatus> producer = new KafkaProducer<>(producerConfig, topic.keySerializer(),
                topic.valueSerializer());
        return start(topic, workerId, producer, interval, snapshot);
    }

    /** As the other start, with a given producer (which this publisher closes). */
    static WorkerStatusPublisher start(Topic<String, WorkerStatus> topic, String workerId,
            Producer<String, WorkerStatus> producer, Duration interval, Supplier<WorkerStatus> snapshot) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive, but was " + interval);
        }
        WorkerStatusPublisher publisher = new WorkerStatusPublisher(topic, workerId, producer, snapshot);
        publisher.thread.scheduleAtFixedRate(publisher::publish, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return publisher;
    }

    /** Status records and tombstones acknowledged so far. */
    public long sent() {
        return sent.get();
    }

    /** Snapshots or sends that failed so far. */
    public long failures() {
        return failures.get();
    }

    private void publish() {
        WorkerStatus status;
        try {
            status = snapshot.get();
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        send(status);
    }

    private void send(@Nullable WorkerStatus status) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), workerId, status), (metadata, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                    if (failing.compareAndSet(true, false)) {
                        log.info("Worker {} publishes its status to {} again", workerId, topic.name());
                    }
                } else {
                    failed(e);
                }
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(Exception e) {
        failures.incrementAndGet();
        if (failing.compareAndSet(false, true)) {
            log.warn("Worker {} cannot publish its status to {} (the console shows it stale; processing goes on): {}",
                    workerId, topic.name(), e.toString());
        }
    }

    /** Stops publishing and sends a tombstone: the worker left cleanly and disappears from the console. */
    @Override
    public void close() {
        stop(true);
    }

    /** Stops publishing without a tombstone, as if the process died. Idempotent, like {@link #close()}. */
    public void abandon() {
        stop(false);
    }

    private void stop(boolean tombstone) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("Worker {} status thread did not stop within {}", workerId, CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (tombstone) {
            send(null);
            producer.close(CLOSE_TIMEOUT);
        } else {
            producer.close(Duration.ZERO);
        }
    }
}
