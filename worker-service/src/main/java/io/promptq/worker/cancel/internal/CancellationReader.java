package io.promptq.worker.cancel.internal;

import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.schema.JobCancellation;
import io.promptq.worker.cancel.Cancellations;
import io.promptq.worker.processing.CancelRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the whole cancellations topic into {@link Cancellations} on a thread of its own: a consumer without a group
 * ({@code assign} of every partition, from the beginning, {@code read_committed}), following partitions added
 * later. {@link #awaitCaughtUp} returns once every partition was read up to its end offset taken at start-up, so
 * a worker starts its first job knowing every cancel made while no worker ran.
 */
public final class CancellationReader implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CancellationReader.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration MISSING_TOPIC_CHECK = Duration.ofSeconds(1);
    /** How often the topic's partition count is checked, to read partitions added later. */
    static final Duration PARTITION_CHECK = Duration.ofSeconds(30);
    private static final Duration REGISTRY_WAIT = Duration.ofSeconds(1);

    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<String> keys;
    private final Deserializer<JobCancellation> values;
    private final Cancellations cancellations;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean running = true;
    private volatile Throwable failure;

    public CancellationReader(String topic, Consumer<byte[], byte[]> consumer, Deserializer<String> keys,
            Deserializer<JobCancellation> values, Cancellations cancellations) {
        this.topic = topic;
        this.consumer = consumer;
        this.keys = keys;
        this.values = values;
        this.cancellations = cancellations;
    }

    @Override
    public void run() {
        try {
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(assignNew()));
            if (end.isEmpty()) {
                caughtUp.countDown(); // no topic yet: nothing to read
            }
            long nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
            while (running) {
                if (assigned.isEmpty()) {
                    // the topic does not exist yet (or its metadata has not reached this client): look again soon
                    Thread.sleep(MISSING_TOPIC_CHECK.toMillis());
                    assignNew();
                } else {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                        accept(r);
                    }
                }
                cancellations.expire();
                if (!end.isEmpty()) {
                    end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
                    if (end.isEmpty()) {
                        log.info("Cancel requests read up to the end of {}: {} held", topic, cancellations.size());
                        caughtUp.countDown();
                    }
                }
                if (System.nanoTime() - nextCheck >= 0) {
                    assignNew();
                    nextCheck = System.nanoTime() + PARTITION_CHECK.toNanos();
                }
            }
        } catch (WakeupException | InterruptedException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            log.error("Reading the cancellations topic {} failed; cancel requests are no longer followed", topic, e);
        } finally {
            caughtUp.countDown();
            try {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                log.debug("Closing the cancellations consumer failed: {}", e.toString());
            }
        }
    }

    /** Assigns the partitions not assigned yet, from the beginning; returns them. */
    private List<TopicPartition> assignNew() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        List<TopicPartition> added = new ArrayList<>();
        if (infos != null) {
            for (PartitionInfo p : infos) {
                TopicPartition tp = new TopicPartition(topic, p.partition());
                if (assigned.add(tp)) {
                    added.add(tp);
                }
            }
        }
        if (!added.isEmpty()) {
            consumer.assign(List.copyOf(assigned));
            consumer.seekToBeginning(added);
            log.debug("Reading cancel requests from {}", added);
        }
        return added;
    }

    private void accept(ConsumerRecord<byte[], byte[]> r) throws InterruptedException {
        while (true) {
            try {
                String jobId = r.key() == null ? null : keys.deserialize(topic, r.headers(), r.key());
                if (jobId == null) {
                    return;
                }
                if (r.value() == null) {
                    cancellations.withdrawn(jobId);
                    return;
                }
                JobCancellation c = values.deserialize(topic, r.headers(), r.value());
                cancellations.requested(jobId, new CancelRequest(c.getTenant(), c.getRequestedAt(), c.getReason()));
                return;
            } catch (RegistryUnreachableException | RegistryRefusedException e) {
                // The registry's trouble, not the record's: waited out, so no cancel is lost.
                log.warn("Cannot decode cancel request {}-{}@{}: {}; trying again in {}", r.topic(), r.partition(),
                        r.offset(), e.getMessage(), REGISTRY_WAIT);
                if (!running) {
                    return;
                }
                Thread.sleep(REGISTRY_WAIT);
            } catch (RuntimeException e) {
                log.warn("Skipping undecodable cancel request {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                        e.toString());
                return;
            }
        }
    }

    /**
     * Waits until every partition was read up to its end offset at start-up.
     *
     * @throws TimeoutException if that takes longer than {@code timeout}
     * @throws IllegalStateException if the reader failed
     */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException, TimeoutException {
        if (!caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("the cancellations topic " + topic + " was not read to its end within "
                    + timeout);
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("reading the cancellations topic " + topic + " failed: " + f, f);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
    }
}
