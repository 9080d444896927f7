package io.promptq.producer.batch.internal;

import io.promptq.producer.batch.BatchSubmitter;
import io.promptq.schema.BatchEvent;
import io.promptq.topic.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The submitter's poll thread: polls the batches topic, hands one step at a time to the task thread and commits
 * its offset once the task is done. While a step is pending or running every assigned partition is paused, so the
 * thread keeps polling (the group never times the member out, however long a batch takes) without buffering more.
 * A revoked partition's pending steps are dropped and its running task is told to stop; nothing of it is committed.
 * A failed task is run again after a backoff (1 s doubling to 30 s).
 */
public final class SubmitterLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubmitterLoop.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final long FIRST_BACKOFF_MS = 1_000;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final KafkaConsumer<String, BatchEvent> consumer;
    private final BatchTasks tasks;
    private final ExecutorService executor;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Deque<ConsumerRecord<String, BatchEvent>> pending = new ArrayDeque<>();
    private @Nullable Running current;
    private long backoffMs = FIRST_BACKOFF_MS;
    private long notBeforeNanos = System.nanoTime();

    /** A task in progress: its record, result and stop flag. */
    private record Running(ConsumerRecord<String, BatchEvent> record, Future<?> result, AtomicBoolean aborted) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    private SubmitterLoop(BatchSubmitter.Settings settings, BatchTasks tasks) {
        this.tasks = tasks;
        Topic<String, BatchEvent> topic = settings.topics().batches();
        this.consumer = new KafkaConsumer<>(settings.kafka().consumerConfig(BatchSubmitter.groupId(settings.clientId()),
                settings.clientId() + "-batch-submitter"), topic.keyDeserializer(), topic.valueDeserializer());
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "promptq-batch-submitter-task");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::run, "promptq-batch-submitter-poll");
        this.thread.setDaemon(true);
    }

    /** Subscribes and starts polling. */
    public static SubmitterLoop start(BatchSubmitter.Settings settings, BatchTasks tasks) {
        SubmitterLoop loop = new SubmitterLoop(settings, tasks);
        loop.thread.start();
        return loop;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(tasks.topicName()), new Rebalance());
            while (running.get()) {
                for (ConsumerRecord<String, BatchEvent> record : consumer.poll(POLL)) {
                    pending.add(record);
                }
                finishCurrent();
                startNext();
                if (current == null && pending.isEmpty()) {
                    consumer.resume(consumer.paused());
                } else {
                    consumer.pause(consumer.assignment());
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                log.error("Batch submitter woken up while running", e);
            }
        } catch (RuntimeException e) {
            log.error("Batch submitter stopped: {}", e.toString(), e);
        } finally {
            abortCurrent();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void finishCurrent() {
        Running task = current;
        if (task == null || !task.result().isDone()) {
            return;
        }
        current = null;
        ConsumerRecord<String, BatchEvent> record = task.record();
        try {
            task.result().get();
            consumer.commitSync(Map.of(task.partition(), new OffsetAndMetadata(record.offset() + 1)));
            backoffMs = FIRST_BACKOFF_MS;
        } catch (ExecutionException e) {
            log.warn("Batch {}: {} at {}-{}@{} failed, retried in {} ms: {}", record.key(),
                    record.value() == null ? null : record.value().getType(), record.topic(), record.partition(),
                    record.offset(), backoffMs, e.getCause().toString());
            pending.addFirst(record);
            notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    private void startNext() {
        if (current != null || pending.isEmpty() || System.nanoTime() - notBeforeNanos < 0) {
            return;
        }
        ConsumerRecord<String, BatchEvent> record = pending.poll();
        BatchEvent event = record.value();
        if (event == null) {
            consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                    new OffsetAndMetadata(record.offset() + 1)));
            return;
        }
        AtomicBoolean aborted = new AtomicBoolean();
        Future<?> result = executor.submit(() -> {
            tasks.handle(event, aborted::get);
            return null;
        });
        current = new Running(record, result, aborted);
    }

    private void abortCurrent() {
        Running task = current;
        if (task != null) {
            task.aborted().set(true);
            current = null;
        }
    }

    /** Drops the revoked partitions' steps; a running one is stopped and not committed. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            Running task = current;
            if (task != null && partitions.contains(task.partition())) {
                log.info("Batch {}: partition {} revoked while its step ran; left to the new owner", task.record().key(),
                        task.partition());
                abortCurrent();
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (current != null || !pending.isEmpty()) {
                consumer.pause(partitions);
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }
    }

    /** Stops polling, abandons a running task uncommitted and releases the consumer. */
    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

