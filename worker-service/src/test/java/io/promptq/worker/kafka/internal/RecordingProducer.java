package io.promptq.worker.kafka.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link MockProducer} (auto-completing) for the committers and the loop: records what became visible - the
 * records of committed transactions (or, without transactions, acknowledged sends) and the offsets committed
 * with them - safely for a test thread to read, and refuses records on demand as a broker would.
 */
final class RecordingProducer extends MockProducer<byte[], byte[]> {

    /** Records visible to a read_committed reader, in order. */
    final List<ProducerRecord<byte[], byte[]>> visible = new CopyOnWriteArrayList<>();
    /** The latest offset committed in a transaction, per partition. */
    final Map<TopicPartition, Long> committedOffsets = new ConcurrentHashMap<>();
    /** One entry per committed transaction: the keys visible once it committed, and the offsets it committed. */
    final List<Commit> commitLog = new CopyOnWriteArrayList<>();
    /** The group's committed offsets on the "broker": committed transactions write theirs here. */
    final Map<TopicPartition, OffsetAndMetadata> groupOffsets;
    final AtomicInteger transactions = new AtomicInteger();
    final AtomicInteger aborts = new AtomicInteger();
    /** Records refused with this failure (their future fails), if set. */
    volatile Predicate<ProducerRecord<byte[], byte[]>> refuse = r -> false;
    volatile RuntimeException refusal = new RecordTooLargeException("too large");
    /** How many of the next {@code commitTransaction} calls throw {@link #commitFailure}. */
    volatile int failingCommits;
    volatile RuntimeException commitFailure = new RebalanceInProgressException("rebalancing");
    private final boolean transactional;

    /** A committed transaction: the record keys visible after it (in order), and its offsets with metadata. */
    record Commit(List<String> visibleKeys, Map<TopicPartition, OffsetAndMetadata> offsets) {}

    RecordingProducer(boolean transactional) {
        this(transactional, new ConcurrentHashMap<>());
    }

    /** @param groupOffsets the group's committed offsets, shared with a {@link RecordingConsumer} that reads them */
    RecordingProducer(boolean transactional, Map<TopicPartition, OffsetAndMetadata> groupOffsets) {
        super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        this.transactional = transactional;
        this.groupOffsets = groupOffsets;
    }

    @Override
    public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
        if (refuse.test(record)) {
            return failed(refusal, callback);
        }
        Future<RecordMetadata> ack = super.send(record, callback);
        if (!transactional) {
            visible.add(record);
        }
        return ack;
    }

    private static Future<RecordMetadata> failed(RuntimeException e, Callback callback) {
        CompletableFuture<RecordMetadata> f = new CompletableFuture<>();
        f.completeExceptionally(e);
        if (callback != null) {
            callback.onCompletion(null, e);
        }
        return f;
    }

    @Override
    public synchronized void commitTransaction() {
        if (failingCommits > 0) {
            failingCommits--;
            throw commitFailure;
        }
        List<ProducerRecord<byte[], byte[]>> records = List.copyOf(uncommittedRecords());
        Map<String, Map<TopicPartition, OffsetAndMetadata>> offsets = Map.copyOf(uncommittedOffsets());
        super.commitTransaction();
        transactions.incrementAndGet();
        visible.addAll(records);
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        offsets.values().forEach(committed::putAll);
        committed.forEach((tp, o) -> committedOffsets.put(tp, o.offset()));
        groupOffsets.putAll(committed);
        commitLog.add(new Commit(visibleKeys(), Map.copyOf(committed)));
    }

    @Override
    public synchronized void abortTransaction() {
        super.abortTransaction();
        aborts.incrementAndGet();
    }

    /** The keys of the visible records, as text. */
    List<String> visibleKeys() {
        return visible.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    }
}
