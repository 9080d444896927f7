package io.promptq.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.client.internal.IdempotencyIndex.Conflict;
import io.promptq.client.internal.IdempotencyIndex.Duplicate;
import io.promptq.client.internal.IdempotencyIndex.Write;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.testkit.MutableClock;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LedgerReaderTest {

    private static final String LEDGER = TopicNames.DEFAULT_IDEMPOTENCY;
    private static final TopicPartition P0 = new TopicPartition(LEDGER, 0);
    private static final TopicPartition P1 = new TopicPartition(LEDGER, 1);

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Topic<String, IdempotencyEntry> ledger = Topics.create(TopicNames.defaults(), registry, true).idempotency();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
    private final IdempotencyIndex index = new IdempotencyIndex(Duration.ofHours(24), 1_000, clock, "promptq.jobs");
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private LedgerReader reader;

    @AfterEach
    void close() {
        if (reader != null) {
            reader.close();
        }
        registry.close();
    }

    @Test
    void readsEveryPartitionFromTheBeginningIntoTheIndexAndThenReportsItCaughtUp() {
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        partitions(Map.of(P0, 1L, P1, 1L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(record(P0, 0, first, entry(first, hash(1), 3, 17)));
            consumer.addRecord(record(P1, 0, second, entry(second, hash(2), 1, 4)));
        });

        reader = new LedgerReader(consumer, ledger.valueDeserializer(), LEDGER, index, Duration.ofMinutes(1)).start();

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.caughtUp().isDone());
        assertThat(consumer.assignment()).containsExactlyInAnyOrder(P0, P1);
        assertThat(index.claim(first, hash(1), clock.millis())).isInstanceOf(Duplicate.class);
        assertThat(index.claim(second, hash(1), clock.millis())).isEqualTo(new Conflict(hash(2)));
    }

    @Test
    void aMissingLedgerCountsAsCaughtUpAtOnce() {
        reader = new LedgerReader(consumer, ledger.valueDeserializer(), LEDGER, index, Duration.ofMinutes(1)).start();

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.caughtUp().isDone());
        assertThat(consumer.assignment()).isEmpty();
    }

    @Test
    void undecodableEntriesAndForeignKeysAreSkippedAndTombstonesForget() {
        UUID kept = UUID.randomUUID();
        UUID deleted = UUID.randomUUID();
        partitions(Map.of(P0, 5L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>(LEDGER, 0, 0, kept.toString(), new byte[] {1, 2, 3}));
            consumer.addRecord(record(P0, 1, kept, entry(kept, hash(1), 0, 1)));
            consumer.addRecord(new ConsumerRecord<>(LEDGER, 0, 2, "not-a-job-id", serialize(entry(kept, hash(2), 0, 1))));
            consumer.addRecord(record(P0, 3, deleted, entry(deleted, hash(1), 0, 2)));
            consumer.addRecord(new ConsumerRecord<>(LEDGER, 0, 4, deleted.toString(), null));
        });

        reader = new LedgerReader(consumer, ledger.valueDeserializer(), LEDGER, index, Duration.ofMinutes(1)).start();

        await().atMost(Duration.ofSeconds(10)).until(() -> reader.caughtUp().isDone());
        assertThat(index.claim(kept, hash(2), clock.millis())).isEqualTo(new Conflict(hash(1)));
        assertThat(index.claim(deleted, hash(2), clock.millis())).isInstanceOf(Write.class);
    }

    private void partitions(Map<TopicPartition, Long> ends) {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(LEDGER, ends.keySet().stream()
                .map(tp -> new PartitionInfo(LEDGER, tp.partition(), node, new Node[] {node}, new Node[] {node}))
                .toList());
        consumer.updateBeginningOffsets(ends.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> 0L)));
        consumer.updateEndOffsets(ends);
    }

    private ConsumerRecord<String, byte[]> record(TopicPartition tp, long offset, UUID jobId, IdempotencyEntry entry) {
        return new ConsumerRecord<>(LEDGER, tp.partition(), offset, jobId.toString(), serialize(entry));
    }

    private byte[] serialize(IdempotencyEntry entry) {
        return ledger.valueSerializer().serialize(LEDGER, entry);
    }

    private IdempotencyEntry entry(UUID jobId, PayloadHash hash, int partition, long offset) {
        return IdempotencyEntry.newBuilder().setJobId(jobId.toString()).setTenant("acme").setIdempotencyKey("k")
                .setPayloadHash(ByteBuffer.wrap(hash.toBytes())).setAcceptedAt(clock.instant())
                .setPartition(partition).setOffset(offset).build();
    }

    private static PayloadHash hash(int fill) {
        byte[] bytes = new byte[PayloadHash.LENGTH];
        Arrays.fill(bytes, (byte) fill);
        return PayloadHash.fromBytes(bytes);
    }

}
