package io.promptq.aggregator.fleet.internal;

import io.promptq.schema.WorkerStatus;
import io.promptq.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole workers topic on a thread of its own and keeps each worker's latest status; a tombstone removes it.
 * A plain consumer without a group rather than a GlobalKTable: the topic holds a few records per replica, every
 * instance needs all of them (no forwarding), and a failure here must never touch the aggregation's topology or its
 * state stores. Waits for the topic while it does not exist; an undecodable record is skipped.
 */
public final class WorkerStatusReader implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerStatusReader.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final String topic;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<String, WorkerStatus> descriptor;
    private final Map<String, WorkerStatus> latest = new ConcurrentHashMap<>();
    private volatile boolean running = true;
    private boolean warned;

    public WorkerStatusReader(Topic<String, WorkerStatus> descriptor, KafkaConsumer<String, byte[]> consumer) {
        this.descriptor = descriptor;
        this.topic = descriptor.name();
        this.consumer = consumer;
    }

    /** The latest status of every worker that has not left, by workerId. */
    public List<WorkerStatus> statuses() {
        List<WorkerStatus> all = new ArrayList<>(latest.values());
        all.sort(Comparator.comparing(WorkerStatus::getWorkerId));
        return all;
    }

    @Override
    public void run() {
        try (consumer) {
            while (running && !assign()) {
                Thread.sleep(1_000);
            }
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    apply(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("The workers topic {} reader stopped; the console's Workers view stops changing: {}", topic,
                    e.toString(), e);
        }
    }

    private boolean assign() {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (partitions == null || partitions.isEmpty()) {
            return false;
        }
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
        return true;
    }

    private void apply(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return;
        }
        if (record.value() == null) {
            latest.remove(record.key());
            return;
        }
        try {
            latest.put(record.key(), descriptor.valueDeserializer().deserialize(topic, record.headers(), record.value()));
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                log.warn("Skipping undecodable records of {} (first at offset {}): {}", topic, record.offset(),
                        e.toString());
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
