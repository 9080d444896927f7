package io.promptq.client.internal;

import io.promptq.retry.Backoff;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.topic.PayloadHash;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the idempotency ledger into an {@link IdempotencyIndex}, on its own thread, for the client's lifetime:
 * every partition (assigned, no consumer group), {@code read_committed} (entries of aborted worker transactions
 * are never seen), from the earliest retained offset. It looks for the topic and new partitions every
 * {@code rediscovery}, so a ledger created after the client started (by the first worker) is picked up.
 *
 * <p>{@link #caughtUp()} completes once the reader has read up to the end offsets it found at its first look
 * (at once when the topic does not exist yet): keyed submissions wait for it, so that a freshly started client
 * does not write a job the ledger already holds. Undecodable entries are skipped with a warning.
 */
public final class LedgerReader implements AutoCloseable {

    /** Waits between tries while Kafka is unreachable: 250 ms doubling up to 10 s, full jitter; ends with close. */
    public static final Backoff ERROR_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(10))
            .fullJitter().build();
    public static final Duration DEFAULT_REDISCOVERY = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(LedgerReader.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<String, byte[]> consumer;
    private final Deserializer<IdempotencyEntry> values;
    private final String topic;
    private final IdempotencyIndex index;
    private final Duration rediscovery;
    private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    private final Set<TopicPartition> assigned = new HashSet<>();
    private @Nullable Map<TopicPartition, Long> catchUpTargets;
    private volatile boolean closed;
    private @Nullable Thread thread;

    /**
     * A reader of {@code topic} with {@code consumer} (owned: closed by {@link #close()}); call {@link #start()}.
     *
     * @param consumer a consumer without group, reading {@code read_committed}, not creating topics
     */
    public LedgerReader(Consumer<String, byte[]> consumer, Deserializer<IdempotencyEntry> values, String topic,
            IdempotencyIndex index, Duration rediscovery) {
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.values = Objects.requireNonNull(values, "values");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.index = Objects.requireNonNull(index, "index");
        this.rediscovery = Objects.requireNonNull(rediscovery, "rediscovery");
    }

    /** Starts reading on a daemon thread. */
    public synchronized LedgerReader start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("promptq-client-ledger-" + topic).start(this::run);
        }
        return this;
    }

    /** Completes once the entries present at the first look have been read; never fails. */
    public CompletableFuture<Void> caughtUp() {
        return caughtUp;
    }

    /** Stops reading and closes the consumer (waits up to 5 s for the thread). */
    @Override
    public void close() {
        closed = true;
        Thread reader;
        synchronized (this) {
            reader = thread;
        }
        if (reader == null) {
            consumer.close();
            return;
        }
        consumer.wakeup();
        reader.interrupt();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        Backoff.Attempts failures = ERROR_BACKOFF.start();
        long nextDiscovery = System.nanoTime();
        try {
            while (!closed) {
                try {
                    if (System.nanoTime() - nextDiscovery >= 0) {
                        discover();
                        nextDiscovery = System.nanoTime() + rediscovery.toNanos();
                    }
                    if (assigned.isEmpty()) {
                        TimeUnit.NANOSECONDS.sleep(Math.max(0, nextDiscovery - System.nanoTime()));
                        continue;
                    }
                    apply(consumer.poll(POLL_TIMEOUT));
                    checkCaughtUp();
                    failures = ERROR_BACKOFF.start();
                } catch (WakeupException | InterruptException | InterruptedException e) {
                    return;
                } catch (KafkaException e) {
                    Optional<Duration> wait = failures.next();
                    log.warn("Reading the idempotency ledger {} failed (retrying in {} ms): {}", topic,
                            wait.map(Duration::toMillis).orElse(0L), e.toString());
                    failures.sleep(wait.orElse(Duration.ZERO));
                }
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            Thread.interrupted();
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Assigns every partition of the ledger, reading new ones from their beginning. */
    void discover() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        Set<TopicPartition> added = new HashSet<>();
        for (PartitionInfo info : infos == null ? List.<PartitionInfo>of() : infos) {
            TopicPartition tp = new TopicPartition(info.topic(), info.partition());
            if (!assigned.contains(tp)) {
                added.add(tp);
            }
        }
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
            consumer.seekToBeginning(added);
            log.info("Reading idempotency ledger {} ({} partitions)", topic, assigned.size());
        }
        if (catchUpTargets == null) {
            catchUpTargets = assigned.isEmpty() ? Map.of() : consumer.endOffsets(assigned, METADATA_TIMEOUT);
            checkCaughtUp();
        }
    }

    private void checkCaughtUp() {
        if (caughtUp.isDone() || catchUpTargets == null) {
            return;
        }
        for (Map.Entry<TopicPartition, Long> target : catchUpTargets.entrySet()) {
            if (consumer.position(target.getKey(), METADATA_TIMEOUT) < target.getValue()) {
                return;
            }
        }
        log.info("Idempotency ledger {} read up to its end ({} keys known)", topic, index.size());
        caughtUp.complete(null);
    }

    private void apply(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> record : records) {
            UUID jobId = jobId(record);
            if (jobId == null) {
                continue;
            }
            if (record.value() == null) {
                index.forget(jobId);
                continue;
            }
            try {
                IdempotencyEntry entry = values.deserialize(record.topic(), record.headers(), record.value());
                index.learn(jobId, PayloadHash.fromBytes(entry.getPayloadHash()), entry.getAcceptedAt().toEpochMilli(),
                        entry.getPartition(), entry.getOffset());
            } catch (RuntimeException e) {
                log.warn("Skipping undecodable idempotency entry at {}-{}@{}: {}", record.topic(), record.partition(),
                        record.offset(), e.toString());
            }
        }
    }

    private static @Nullable UUID jobId(ConsumerRecord<String, byte[]> record) {
        if (record.key() == null) {
            return null;
        }
        try {
            return UUID.fromString(record.key());
        } catch (IllegalArgumentException e) {
            log.warn("Skipping idempotency entry with a key that is no job id at {}-{}@{}", record.topic(),
                    record.partition(), record.offset());
            return null;
        }
    }
}
