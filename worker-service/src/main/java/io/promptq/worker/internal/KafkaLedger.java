package io.promptq.worker.internal;

import io.promptq.schema.IdempotencyEntry;
import io.promptq.worker.WorkerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a partition of the idempotency ledger for {@link IdempotencyGate}: a consumer without a group ({@code
 * assign}, from the beginning, {@code read_committed}) reads until it reaches the partition's high watermark taken
 * when it started. Waiting for the high watermark rather than the last stable offset means every transaction
 * written before - a previous owner's last commit whose markers are still being written, or a crashed one's open
 * transaction until it times out - is settled and, if committed, read. Used by the one restore thread only.
 */
final class KafkaLedger implements IdempotencyGate.Ledger {

    private static final Logger log = LoggerFactory.getLogger(KafkaLedger.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final Consumer<byte[], byte[]> consumer;
    private final Admin admin;
    private final Deserializer<String> keys;
    private final Deserializer<IdempotencyEntry> values;
    private final Duration timeout;

    KafkaLedger(String topic, Consumer<byte[], byte[]> consumer, Admin admin, Deserializer<String> keys,
            Deserializer<IdempotencyEntry> values, Duration timeout) {
        this.topic = topic;
        this.consumer = consumer;
        this.admin = admin;
        this.keys = keys;
        this.values = values;
        this.timeout = timeout;
    }

    /** A reader of {@code topic} with the worker's Kafka settings. */
    static KafkaLedger create(WorkerConfig config, String topic, Deserializer<String> keys,
            Deserializer<IdempotencyEntry> values, Duration timeout) {
        Admin admin = Admin.create(config.kafka().adminConfig(config.workerId() + "-idempotency-admin"));
        try {
            return new KafkaLedger(topic, new KafkaConsumer<>(consumerConfig(config), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer()), admin, keys, values, timeout);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    /**
     * The ledger consumer: promptq's consumer settings and overrides, without a group (it assigns and commits
     * nothing), {@code read_committed}, never creating the ledger.
     */
    static Map<String, Object> consumerConfig(WorkerConfig config) {
        Map<String, Object> props = config.kafka().consumerConfig("unused", config.workerId() + "-idempotency-ledger",
                Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        return props;
    }

    @Override
    public boolean read(int partition, IdempotencyGate.Sink sink, BooleanSupplier cancelled) throws Exception {
        if (!exists(partition)) {
            return false;
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        long end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                        new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                .partitionResult(tp).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
        consumer.assign(List.of(tp));
        try {
            consumer.seekToBeginning(List.of(tp));
            while (!cancelled.getAsBoolean() && consumer.position(tp, timeout) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    accept(r, sink);
                }
            }
        } finally {
            consumer.assign(List.of());
        }
        return true;
    }

    private boolean exists(int partition) throws Exception {
        try {
            TopicDescription d = admin.describeTopics(List.of(topic)).topicNameValues().get(topic)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return partition < d.partitions().size();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            throw e;
        }
    }

    private void accept(ConsumerRecord<byte[], byte[]> r, IdempotencyGate.Sink sink) {
        String jobId;
        IdempotencyEntry entry;
        try {
            jobId = r.key() == null ? null : keys.deserialize(topic, r.headers(), r.key());
            entry = r.value() == null ? null : values.deserialize(topic, r.headers(), r.value());
        } catch (RuntimeException e) {
            log.warn("Skipping undecodable idempotency ledger record {}-{}@{}: {}", r.topic(), r.partition(),
                    r.offset(), e.toString());
            return;
        }
        if (jobId != null) {
            sink.accept(jobId, entry);
        }
    }

    @Override
    public void close() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (RuntimeException e) {
            log.debug("Closing the ledger consumer failed: {}", e.toString());
        }
        admin.close(Duration.ofSeconds(5));
    }
}
