package io.promptq.aggregator.webhook.internal;

import io.promptq.schema.JobResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher's poll thread: polls the results topic, hands each result with a callback to {@link Deliveries}
 * while a concurrency permit is free (pausing the partitions while none is, so the consumer keeps its group
 * membership without buffering more), and commits the offsets {@link OffsetTracker} allows. It never waits for a
 * delivery. Revoked partitions commit what is finished; their unfinished results are delivered again by the next
 * owner.
 */
public final class DispatchLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(DispatchLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final KafkaConsumer<String, JobResult> consumer;
    private final String topic;
    private final Deliveries deliveries;
    private final Semaphore permits;
    private final OffsetTracker tracker = new OffsetTracker();
    private final ArrayDeque<ConsumerRecord<String, JobResult>> backlog = new ArrayDeque<>();
    private volatile boolean stopping;
    private boolean paused;

    public DispatchLoop(KafkaConsumer<String, JobResult> consumer, String topic, Deliveries deliveries,
            int concurrency) {
        this.consumer = consumer;
        this.topic = topic;
        this.deliveries = deliveries;
        this.permits = new Semaphore(concurrency);
    }

    /** Asks the loop to end after its current turn. */
    public void stop() {
        stopping = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!stopping) {
                dispatchBacklog();
                poll();
                commit(tracker.committable(), false);
            }
        } catch (WakeupException e) {
            if (!stopping) {
                log.error("Webhook poll loop woken unexpectedly; stopping", e);
            }
        } catch (RuntimeException e) {
            log.error("Webhook poll loop failed; webhooks stop until restart", e);
        } finally {
            Map<TopicPartition, OffsetAndMetadata> finished = tracker.committable();
            try {
                commit(finished, true);
            } catch (WakeupException e) {
                commit(finished, true);
            } catch (RuntimeException e) {
                log.warn("Committing finished webhook offsets at shutdown failed", e);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void poll() {
        ConsumerRecords<String, JobResult> records;
        try {
            records = consumer.poll(POLL_TIMEOUT);
        } catch (RecordDeserializationException e) {
            log.warn("Skipping undecodable result at {} offset {} (the aggregator dead-letters it)",
                    e.topicPartition(), e.offset(), e);
            tracker.skip(e.topicPartition(), e.offset());
            consumer.seek(e.topicPartition(), e.offset() + 1);
            return;
        }
        for (ConsumerRecord<String, JobResult> record : records) {
            JobResult result = record.value();
            if (result == null || result.getCallbackUrl() == null) {
                tracker.skip(new TopicPartition(record.topic(), record.partition()), record.offset());
            } else {
                backlog.addLast(record);
            }
        }
        dispatchBacklog();
    }

    private void dispatchBacklog() {
        while (!backlog.isEmpty() && permits.tryAcquire()) {
            ConsumerRecord<String, JobResult> record = backlog.pollFirst();
            OffsetTracker.Entry entry = tracker.track(new TopicPartition(record.topic(), record.partition()),
                    record.offset());
            JobResult result = record.value();
            deliveries.start(result, result.getCallbackUrl(), () -> {
                entry.finish();
                permits.release();
            });
        }
        if (!backlog.isEmpty() && !paused) {
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (backlog.isEmpty() && paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets, boolean sync) {
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, e) -> {
                if (e != null) {
                    log.debug("Committing webhook offsets failed; the next commit covers them", e);
                }
            });
        }
    }

    /** Commits what is finished before partitions go; forgets them and their unstarted results. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(tracker.committable(), true);
            } catch (RuntimeException e) {
                log.warn("Committing webhook offsets of revoked partitions {} failed", partitions, e);
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (paused) {
                consumer.pause(partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            tracker.forget(partitions);
            backlog.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        }
    }
}
