package io.promptq.files.internal;

import io.promptq.schema.FileInfo;
import io.promptq.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole compacted file index from the beginning on its own thread (no consumer group: every partition is
 * assigned) and applies each record to the {@link FileIndex}; publishes how far it has read, so that a caller can wait
 * until it has caught up with the index as it was at some moment.
 */
final class IndexReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final Consumer<byte[], byte[]> consumer;
    private final Topic<String, FileInfo> topic;
    private final FileIndex index;
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    private volatile boolean running = true;
    private volatile boolean loadedOnce;
    private Thread thread;

    IndexReader(Consumer<byte[], byte[]> consumer, Topic<String, FileInfo> topic, FileIndex index) {
        this.consumer = consumer;
        this.topic = topic;
        this.index = index;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("promptq-files-index-" + topic.name()).start(this::run);
    }

    /** Whether the reader has once reached the end of the index (a later list needs no catch-up first). */
    boolean loadedOnce() {
        return loadedOnce;
    }

    /** Waits until the reader's position in every partition of {@code targets} is at least its offset. */
    void awaitPositions(Map<Integer, Long> targets, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (!reached(targets)) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    return;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
        if (!targets.isEmpty()) {
            loadedOnce = true;
        }
    }

    private boolean reached(Map<Integer, Long> targets) {
        for (Map.Entry<Integer, Long> target : targets.entrySet()) {
            if (positions.getOrDefault(target.getKey(), -1L) < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = assign();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                apply(records);
                for (TopicPartition partition : partitions) {
                    positions.put(partition.partition(), consumer.position(partition));
                }
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                log.error("File index reader of {} woken unexpectedly", topic.name(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("File index reader of {} stopped: files stored from now on are not seen by this replica",
                    topic.name(), e);
        } finally {
            running = false;
            synchronized (progress) {
                progress.notifyAll();
            }
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private List<TopicPartition> assign() throws InterruptedException {
        while (running) {
            try {
                List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                        .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
                if (!partitions.isEmpty()) {
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    return partitions;
                }
            } catch (WakeupException e) {
                throw e;
            } catch (RuntimeException e) {
                log.warn("File index {} not readable yet: {}", topic.name(), e.toString());
            }
            Thread.sleep(RETRY);
        }
        return List.of();
    }

    /** Applies records in order; a record that cannot be read (the registry down) is retried from its offset. */
    private void apply(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                if (record.key() == null) {
                    continue;
                }
                String id = new String(record.key(), StandardCharsets.UTF_8);
                FileInfo info;
                try {
                    info = record.value() == null ? null
                            : topic.valueDeserializer().deserialize(topic.name(), record.value());
                } catch (RuntimeException e) {
                    log.warn("File index record {}/{}@{} not readable, retrying: {}", topic.name(),
                            partition.partition(), record.offset(), e.toString());
                    consumer.seek(partition, record.offset());
                    sleepQuietly();
                    break;
                }
                index.apply(id, info);
            }
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
