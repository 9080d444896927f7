package io.promptq.client;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An audit of a results topic: every record a {@code read_committed} consumer sees, read continuously from the
 * beginning of every partition on its own thread, kept as the statuses per jobId. Fault runs (the {@code chaos}
 * command, fault tests) count from it the jobs without a result, with two, or with contradictory ones: the
 * guarantee "one job, one outcome" as the topic shows it. Close it when done.
 */
public final class CommittedResults implements AutoCloseable {

    private final Map<String, List<JobStatus>> byJob = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong lastAt = new AtomicLong(System.nanoTime());
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Starts reading {@code topic}, which must exist.
     *
     * @param consumerConfig consumer settings (at least the bootstrap servers); isolation level and deserializers are
     *     set here, no offsets are committed
     * @param values the deserializer of {@link JobResult} values (the results topic's)
     */
    public CommittedResults(Map<String, Object> consumerConfig, String topic, Deserializer<JobResult> values) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
        thread = Thread.ofPlatform().name("committed-results-" + topic).start(() -> {
            try (consumer) {
                while (!closed) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        JobResult result = values.deserialize(r.topic(), r.value());
                        byJob.computeIfAbsent(result.getJobId(), k -> new CopyOnWriteArrayList<>()).add(result.getStatus());
                        total.incrementAndGet();
                        lastAt.set(System.nanoTime());
                    }
                }
            }
        });
    }

    /** Jobs with at least one result. */
    public int distinct() {
        return byJob.size();
    }

    /** Results read, duplicates included. */
    public long total() {
        return total.get();
    }

    /** {@link System#nanoTime()} of the latest result read (of the start while there was none). */
    public long lastResultNanos() {
        return lastAt.get();
    }

    /** The statuses per jobId read so far, in topic order per partition (a copy). */
    public Map<String, List<JobStatus>> snapshot() {
        Map<String, List<JobStatus>> copy = new HashMap<>();
        byJob.forEach((job, statuses) -> copy.put(job, List.copyOf(statuses)));
        return copy;
    }

    /** Stops reading and waits (up to 10 s) for the reading thread. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(10_000);
    }
}
