package io.promptq.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads back what a test wrote, with a plain consumer and the deserializers under test. */
public final class TopicReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicReader() {}

    /**
     * The record at {@code offset} of {@code partition}, read without a consumer group.
     *
     * @throws AssertionError if no record at that offset arrives within 30 s
     */
    public static <K, V> ConsumerRecord<K, V> recordAt(String bootstrapServers, TopicPartition partition, long offset,
            Deserializer<K> keys, Deserializer<V> values) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "it-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(props, keys, values)) {
            consumer.assign(List.of(partition));
            consumer.seek(partition, offset);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<K, V> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() != offset) {
                        throw new AssertionError("expected the record at " + partition + "@" + offset
                                + " but the first one read was at offset " + record.offset());
                    }
                    return record;
                }
            }
            throw new AssertionError("no record at " + partition + "@" + offset + " within " + TIMEOUT.toSeconds() + " s");
        }
    }
}
