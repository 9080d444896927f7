package io.promptq.cli.internal;

import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.topic.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows the results and retry topics from the beginning, for the launcher's progress display: which
 * jobs reached a terminal outcome (first result per job id counts) and which are waiting on a retry tier.
 * It reads what the workers wrote to Kafka, not their memory.
 */
public final class ResultWatcher implements AutoCloseable {

    /** A consistent snapshot of what has been seen. */
    public record Snapshot(long finished, long succeeded, long deadLettered, long expired, long other, long retrying, long lastResultAtMillis) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<JobResult> results;
    private final String resultsTopic;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);

    private final Set<String> finished = new HashSet<>();
    private final Set<String> retrying = new HashSet<>();
    private final Map<JobStatus, Long> byStatus = new HashMap<>();
    private long lastResultAt;

    private ResultWatcher(KafkaSettings kafka, Topics topics, int retryTiers) {
        this.results = topics.results().valueDeserializer();
        this.resultsTopic = topics.results().name();
        Map<String, Object> props = kafka.consumerConfig("promptq-launcher-watch", "promptq-launcher-watch");
        props.remove("group.id");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<String> names = new ArrayList<>(topics.names().retries(retryTiers));
        names.add(resultsTopic);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String name : names) {
            for (PartitionInfo p : consumer.partitionsFor(name, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.thread = Thread.ofPlatform().name("promptq-result-watcher").daemon().start(this::loop);
    }

    /** Starts following {@code topics}' results and its first {@code retryTiers} retry tiers. */
    public static ResultWatcher start(KafkaSettings kafka, Topics topics, int retryTiers) {
        return new ResultWatcher(kafka, topics, retryTiers);
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private synchronized void accept(ConsumerRecord<String, byte[]> record) {
        String jobId = record.key();
        if (jobId == null) {
            return;
        }
        if (!record.topic().equals(resultsTopic)) {
            if (!finished.contains(jobId)) {
                retrying.add(jobId);
            }
            return;
        }
        if (!finished.add(jobId)) {
            return;
        }
        retrying.remove(jobId);
        JobResult result = results.deserialize(record.topic(), record.headers(), record.value());
        byStatus.merge(result.getStatus(), 1L, Long::sum);
        lastResultAt = System.currentTimeMillis();
    }

    public synchronized Snapshot snapshot() {
        long succeeded = byStatus.getOrDefault(JobStatus.SUCCEEDED, 0L);
        long dead = byStatus.getOrDefault(JobStatus.DEAD_LETTERED, 0L);
        long expired = byStatus.getOrDefault(JobStatus.EXPIRED, 0L);
        return new Snapshot(finished.size(), succeeded, dead, expired, finished.size() - succeeded - dead - expired,
                retrying.size(), lastResultAt);
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
