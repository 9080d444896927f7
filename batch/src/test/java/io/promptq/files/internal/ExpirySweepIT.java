package io.promptq.files.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.files.FileIds;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.MutableClock;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/** The store's minute sweep writes an index tombstone for each expired file, and only for those. */
@PromptqCluster
class ExpirySweepIT {

    @Test
    void theSweepTombstonesExpiredFilesOnTheIndex(ClusterInfo cluster) throws Exception {
        TopicNames names = new TopicNames(UniqueNames.of("promptq.jobs.sweep-it"), TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS);
        cluster.createTopics(2, names.files(), names.fileIndex());
        MutableClock clock = new MutableClock(Instant.now());
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
                KafkaFileStore store = new KafkaFileStore(KafkaSettings.of(cluster.bootstrapServers()),
                        Topics.create(names, registry, true), FilesConfig.defaults(), "sweep-it", clock)) {
            Instant now = clock.instant();
            StoredFile shortLived = store.put(new NewFile(FileIds.newId(), "acme", "short.jsonl", "batch", now,
                    now.plus(Duration.ofHours(1))), new ByteArrayInputStream("x".getBytes(StandardCharsets.UTF_8)));
            StoredFile longLived = store.put(new NewFile(FileIds.newId(), "acme", "long.jsonl", "batch", now,
                    now.plus(Duration.ofDays(1))), new ByteArrayInputStream("y".getBytes(StandardCharsets.UTF_8)));
            clock.advance(Duration.ofHours(2));

            store.sweepExpired();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            List<String> tombstones = tombstones(cluster, names.fileIndex());
            while (!tombstones.contains(shortLived.id()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                tombstones = tombstones(cluster, names.fileIndex());
            }
            assertThat(tombstones).containsExactly(shortLived.id());
            assertThat(store.get("acme", longLived.id())).isPresent();
        }
    }

    private static List<String> tombstones(ClusterInfo cluster, String topic) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers()).consumerConfig("unused", "sweep-it",
                Map.of());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<String> ids = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() == null) {
                        ids.add(new String(r.key(), StandardCharsets.UTF_8));
                    }
                });
            }
            return ids;
        }
    }
}
