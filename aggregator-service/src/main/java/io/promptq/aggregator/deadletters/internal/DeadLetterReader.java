package io.promptq.aggregator.deadletters.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.deadletters.DeadLetterDetail;
import io.promptq.aggregator.deadletters.DeadLetterSummary;
import io.promptq.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;

/**
 * Reads one dead letter back from Kafka by partition and offset, with one consumer (assign and seek, no group) that
 * is created on first use and shared by the requests one at a time: inspecting is an operator's click, not a hot path.
 * A request waits at most the given timeout; an offset outside the partition's retained range, or one that holds no
 * record (a transaction marker), is empty.
 */
public final class DeadLetterReader implements AutoCloseable {

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Deserializer<DeadLetter> deadLetters;
    private final String topic;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private @Nullable Consumer<byte[], byte[]> consumer;

    /**
     * @param consumers creates the consumer (byte keys and values, read-committed)
     * @param deadLetters decodes the dead letters of {@code topic}
     */
    public DeadLetterReader(Supplier<Consumer<byte[], byte[]>> consumers, Deserializer<DeadLetter> deadLetters,
            String topic, Duration timeout) {
        this.consumers = consumers;
        this.deadLetters = deadLetters;
        this.topic = topic;
        this.timeout = timeout;
    }

    /** The dead letter at {@code partition}/{@code offset}; empty if the topic holds no record there. */
    public Optional<DeadLetterDetail> read(int partition, long offset) {
        lock.lock();
        try {
            return find(partition, offset).map(record -> detail(record, partition, offset));
        } catch (KafkaException e) {
            closeConsumer();
            throw new QueryUnavailableException("cannot read dead letter " + DeadLetterSummary.id(partition, offset)
                    + " from " + topic + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    private Optional<ConsumerRecord<byte[], byte[]>> find(int partition, long offset) {
        if (consumer == null) {
            consumer = consumers.get();
        }
        TopicPartition tp = new TopicPartition(topic, partition);
        if (consumer.partitionsFor(topic, timeout).stream().noneMatch(info -> info.partition() == partition)) {
            return Optional.empty();
        }
        Long begin = consumer.beginningOffsets(List.of(tp), timeout).get(tp);
        Long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
        if (begin == null || end == null || offset < begin || offset >= end) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<ConsumerRecord<byte[], byte[]>> records = consumer.poll(Duration.ofMillis(200)).records(tp);
            if (!records.isEmpty()) {
                ConsumerRecord<byte[], byte[]> first = records.getFirst();
                return first.offset() == offset ? Optional.of(first) : Optional.empty();
            }
            if (consumer.position(tp) > offset) {
                return Optional.empty();
            }
        }
        throw new QueryUnavailableException("dead letter " + DeadLetterSummary.id(partition, offset) + " of " + topic
                + " was not read within " + timeout + "; retry shortly");
    }

    private DeadLetterDetail detail(ConsumerRecord<byte[], byte[]> record, int partition, long offset) {
        String id = DeadLetterSummary.id(partition, offset);
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        DeadLetter deadLetter;
        try {
            deadLetter = record.value() == null ? null : deadLetters.deserialize(topic, record.headers(), record.value());
        } catch (RuntimeException e) {
            deadLetter = null;
            headers.putIfAbsent("promptq.aggregator.decode-error", String.valueOf(e.getMessage()));
        }
        if (deadLetter == null) {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            String message = "the aggregator cannot decode this dead letter";
            return new DeadLetterDetail(id, key, null, null, "DESERIALIZATION", message, 0, record.timestamp(), false,
                    null, null, message, headers, hex(record.key()), hex(record.value()), null, null, null, null, null,
                    topic, partition, offset);
        }
        DeadLetterSummary summary = Summaries.of(deadLetter, partition, offset);
        return new DeadLetterDetail(id, summary.jobId(), summary.tenant(), summary.model(), summary.reason(),
                summary.message(), summary.attempts(), summary.at(), summary.decodable(), null, json(deadLetter),
                deadLetter.getErrorMessage(), headers, hex(deadLetter.getRawKey()), hex(deadLetter.getRawValue()),
                deadLetter.getSourceTopic(), deadLetter.getSourcePartition(), deadLetter.getSourceOffset(),
                deadLetter.getFirstFailureAt().toEpochMilli(), deadLetter.getWorkerId(), topic, partition, offset);
    }

    private static @Nullable JsonNode json(DeadLetter deadLetter) {
        return deadLetter.getJob() == null ? null : AvroJson.of(deadLetter.getJob());
    }

    private static @Nullable String hex(byte @Nullable [] bytes) {
        return bytes == null ? null : HexFormat.of().formatHex(bytes);
    }

    private static @Nullable String hex(@Nullable ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return hex(bytes);
    }

    private void closeConsumer() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(1));
            consumer = null;
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeConsumer();
        } finally {
            lock.unlock();
        }
    }
}
