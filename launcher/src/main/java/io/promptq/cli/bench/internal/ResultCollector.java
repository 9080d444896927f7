package io.promptq.cli.bench.internal;

import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows a results topic from its end at creation, on its own thread, and records when the first result of each
 * job id arrived ({@link System#nanoTime()}) and how many were not SUCCEEDED. A result counts when a consumer can
 * read it, i.e. once the worker's write was acknowledged: that is "terminal" for the benchmark.
 */
public final class ResultCollector implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<JobResult> deserializer;
    private final Map<String, Long> arrivals = new ConcurrentHashMap<>();
    private final AtomicLong notSucceeded = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    private ResultCollector(KafkaSettings kafka, Topic<String, JobResult> results) {
        this.deserializer = results.valueDeserializer();
        Map<String, Object> props = kafka.consumerConfig("unused", "promptq-bench-results");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(results.name(), Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        for (TopicPartition tp : partitions) {
            consumer.position(tp, Duration.ofSeconds(30));
        }
        this.thread = Thread.ofPlatform().name("promptq-bench-results").daemon().start(this::loop);
    }

    /** Starts following {@code results} from its current end (positions resolved before this returns). */
    public static ResultCollector start(KafkaSettings kafka, Topic<String, JobResult> results) {
        return new ResultCollector(kafka, results);
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    if (r.key() == null || arrivals.putIfAbsent(r.key(), now) != null) {
                        continue;
                    }
                    lastArrival.set(now);
                    JobResult result = deserializer.deserialize(r.topic(), r.headers(), r.value());
                    if (result.getStatus() != JobStatus.SUCCEEDED) {
                        notSucceeded.incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Distinct jobs with a result so far. */
    public int count() {
        return arrivals.size();
    }

    /**
     * Waits until {@code jobs} distinct jobs have a result.
     *
     * @throws IllegalStateException after {@code timeout}, naming how many arrived
     */
    public void await(int jobs, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrivals.size() < jobs) {
            if (failure != null) {
                throw new IllegalStateException("reading results failed: " + failure, failure);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": only " + arrivals.size() + " of " + jobs
                        + " results arrived within " + timeout);
            }
            Thread.sleep(5);
        }
    }

    /** When the latest first result arrived. */
    public long lastArrivalNanos() {
        return lastArrival.get();
    }

    /** First-result arrival time per job id. */
    public Map<String, Long> arrivals() {
        return Map.copyOf(arrivals);
    }

    /** All arrival times (one per job). */
    public long[] arrivalTimes() {
        return arrivals.values().stream().mapToLong(Long::longValue).toArray();
    }

    public long notSucceeded() {
        return notSucceeded.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
