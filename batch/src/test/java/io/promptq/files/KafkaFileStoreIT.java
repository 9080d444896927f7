package io.promptq.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicSpec;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.FileInfo;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.MutableClock;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Kafka file store against a real broker and registry: content round-trips byte-identical in chunks, another
 * replica sees files at once, listing, limits, expiry, a corrupt index record, interleaved uploads.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaFileStoreIT {

    private static final int CHUNK = 64 * 1024;
    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    private ClusterInfo cluster;
    private TopicNames names;
    private Topics topics;
    private SchemaRegistryClient registry;
    private FilesConfig config;
    private MutableClock clock;
    private FileStore store;
    private FileStore replica;

    @BeforeAll
    void start(ClusterInfo cluster) throws Exception {
        this.cluster = cluster;
        names = new TopicNames(UniqueNames.of("promptq.jobs.files-it"), TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS);
        List<NewTopic> newTopics = TopicSpecs.of(names, 3).batchApi(Duration.ofDays(30), Duration.ofDays(30)).stream()
                .map(KafkaFileStoreIT::newTopic).toList();
        cluster.admin().createTopics(newTopics).all().get(60, TimeUnit.SECONDS);
        cluster.createTopics(3, names.batches(), names.files(), names.fileIndex());
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        topics = Topics.create(names, registry, true);
        config = FilesConfig.defaults().withChunkBytes(CHUNK).withMaxBytes(64L * 1024 * 1024);
        clock = new MutableClock(Instant.now());
        store = FileStore.kafka(KafkaSettings.of(cluster.bootstrapServers()), topics, config, "files-it", clock);
        replica = FileStore.kafka(KafkaSettings.of(cluster.bootstrapServers()), topics, config, "files-it-2", clock);
    }

    @AfterAll
    void stop() {
        store.close();
        replica.close();
        registry.close();
    }

    @Test
    void twentyMegabytesRoundTripByteIdenticalInSmallChunks() throws Exception {
        byte[] content = randomBytes(20 * 1024 * 1024 + 123, 1);
        NewFile file = newFile("tenant-big", "big.jsonl");

        StoredFile stored = store.put(file, new ByteArrayInputStream(content));

        assertThat(stored.bytes()).isEqualTo(content.length);
        assertThat(stored.sha256()).isEqualTo(sha256(content));
        assertThat(readAll(store, stored)).isEqualTo(content);
        long expectedChunks = (content.length + CHUNK - 1) / CHUNK;
        assertThat(chunksOnTopic(stored.id())).isEqualTo(expectedChunks);
    }

    @Test
    void anotherReplicaGetsAndListsAFileAtOnceAndLosesItWhenDeleted() throws Exception {
        String tenant = UniqueNames.of("tenant");
        StoredFile stored = store.put(newFile(tenant, "a.jsonl"), bytes("{\"a\":1}\n"));

        assertThat(replica.get(tenant, stored.id())).contains(stored);
        assertThat(replica.list(tenant, null, null, 10, false)).containsExactly(stored);
        assertThat(readAll(replica, stored)).isEqualTo("{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(replica.get("someone-else", stored.id())).isEmpty();

        assertThat(store.delete(tenant, stored.id())).isTrue();

        assertThat(store.get(tenant, stored.id())).isEmpty();
        assertThat(store.delete(tenant, stored.id())).isFalse();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (replica.get(tenant, stored.id()).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(replica.get(tenant, stored.id())).isEmpty();
        assertThat(replica.list(tenant, null, null, 10, false)).isEmpty();
    }

    @Test
    void listsNewestFirstWithCursorOrderAndPurposeFilter() throws Exception {
        String tenant = UniqueNames.of("tenant");
        Instant t0 = clock.instant();
        StoredFile[] files = new StoredFile[5];
        for (int i = 0; i < 5; i++) {
            String purpose = i % 2 == 0 ? StoredFile.PURPOSE_BATCH : StoredFile.PURPOSE_BATCH_OUTPUT;
            NewFile file = new NewFile(FileIds.newId(), tenant, "f" + i, purpose, t0.plusSeconds(i),
                    t0.plus(Duration.ofDays(1)));
            files[i] = store.put(file, bytes("file " + i));
        }

        assertThat(store.list(tenant, null, null, 10, false))
                .containsExactly(files[4], files[3], files[2], files[1], files[0]);
        assertThat(store.list(tenant, null, null, 2, false)).containsExactly(files[4], files[3]);
        assertThat(store.list(tenant, null, files[3].id(), 2, false)).containsExactly(files[2], files[1]);
        assertThat(store.list(tenant, null, null, 10, true))
                .containsExactly(files[0], files[1], files[2], files[3], files[4]);
        assertThat(store.list(tenant, null, files[1].id(), 2, true)).containsExactly(files[2], files[3]);
        assertThat(store.list(tenant, StoredFile.PURPOSE_BATCH, null, 10, false))
                .containsExactly(files[4], files[2], files[0]);
        assertThat(replica.list(tenant, StoredFile.PURPOSE_BATCH_OUTPUT, null, 10, true))
                .containsExactly(files[1], files[3]);
    }

    @Test
    void refusesAFileOverTheLimitAndDoesNotListIt() throws Exception {
        String tenant = UniqueNames.of("tenant");
        FileStore small = FileStore.kafka(KafkaSettings.of(cluster.bootstrapServers()), topics,
                config.withMaxBytes(200_000), "files-it-small", clock);
        try (small) {
            NewFile file = newFile(tenant, "too-big.jsonl");

            assertThatThrownBy(() -> small.put(file, new ByteArrayInputStream(randomBytes(200_001, 2))))
                    .isInstanceOf(FileTooLargeException.class);

            assertThat(small.get(tenant, file.id())).isEmpty();
            assertThat(small.list(tenant, null, null, 10, false)).isEmpty();
            assertThat(replica.get(tenant, file.id())).isEmpty();
            StoredFile exact = small.put(newFile(tenant, "exact.jsonl"),
                    new ByteArrayInputStream(randomBytes(200_000, 3)));
            assertThat(exact.bytes()).isEqualTo(200_000);
        }
    }

    @Test
    void anExpiredFileIsGoneForGetListAndOpen() throws Exception {
        MutableClock own = new MutableClock(Instant.now());
        FileStore expiring = FileStore.kafka(KafkaSettings.of(cluster.bootstrapServers()), topics, config,
                "files-it-expiry", own);
        try (expiring) {
            String tenant = UniqueNames.of("tenant");
            Instant now = own.instant();
            StoredFile stored = expiring.put(new NewFile(FileIds.newId(), tenant, "short.jsonl",
                    StoredFile.PURPOSE_BATCH, now, now.plus(Duration.ofHours(1))), bytes("soon gone"));
            assertThat(expiring.get(tenant, stored.id())).isPresent();

            own.advance(Duration.ofHours(1));

            assertThat(expiring.get(tenant, stored.id())).isEmpty();
            assertThat(expiring.list(tenant, null, null, 10, false)).isEmpty();
            assertThatThrownBy(() -> expiring.open(stored)).isInstanceOf(FileNotFoundException.class);
        }
    }

    @Test
    void anIndexRecordPointingAtTheWrongRangeFailsTheReadInsteadOfReturningWrongBytes() throws Exception {
        String tenant = UniqueNames.of("tenant");
        StoredFile real = store.put(newFile(tenant, "real.jsonl"), new ByteArrayInputStream(randomBytes(300_000, 4)));
        FileInfo realInfo = indexRecordOf(real.id());
        // The same file id and checksum, but the range starts one chunk late: chunk 1 comes where 0 is expected.
        String forgedId = real.id();
        FileInfo shifted = FileInfo.newBuilder(realInfo).setFirstOffset(realInfo.getFirstOffset() + 1)
                .setCreatedAt(realInfo.getCreatedAt().plusMillis(1)).build();
        writeIndexRecord(forgedId, shifted);
        StoredFile forged = awaitFile(tenant, forgedId, shifted);

        assertThatThrownBy(() -> readAll(replica, forged))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(real.id());

        // The right range and chunk count, but another checksum: the content differs from what was stored.
        String changedSha = FileIds.newId();
        StoredFile copy = store.put(new NewFile(changedSha, tenant, "copy.jsonl", StoredFile.PURPOSE_BATCH,
                realInfo.getCreatedAt(), realInfo.getExpiresAt()), new ByteArrayInputStream(randomBytes(300_000, 4)));
        FileInfo copyInfo = indexRecordOf(copy.id());
        FileInfo wrongSum = FileInfo.newBuilder(copyInfo).setSha256(sha256(new byte[1]))
                .setCreatedAt(copyInfo.getCreatedAt().plusMillis(1)).build();
        writeIndexRecord(changedSha, wrongSum);
        StoredFile tampered = awaitFile(tenant, changedSha, wrongSum);

        assertThatThrownBy(() -> readAll(replica, tampered))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(changedSha)
                .hasMessageContaining("SHA-256");

        // A range holding another file's chunks only: nothing of this file is there.
        StoredFile other = store.put(newFile(tenant, "other.jsonl"), new ByteArrayInputStream(randomBytes(1000, 5)));
        FileInfo otherInfo = indexRecordOf(other.id());
        String stranger = FileIds.newId();
        FileInfo pointing = FileInfo.newBuilder(otherInfo).setFileId(stranger).build();
        writeIndexRecord(stranger, pointing);
        StoredFile strange = awaitFile(tenant, stranger, pointing);

        assertThatThrownBy(() -> readAll(replica, strange))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(stranger);
    }

    @Test
    void interleavedUploadsOfTwoFilesBothRoundTrip() throws Exception {
        String tenant = UniqueNames.of("tenant");
        byte[] first = randomBytes(3 * 1024 * 1024 + 7, 6);
        byte[] second = randomBytes(2 * 1024 * 1024 + 11, 7);
        // Two files with ids in the same partition, written at once, chunk by chunk in turn.
        NewFile a = newFile(tenant, "a.jsonl");
        NewFile b = samePartitionAs(a, tenant);

        CyclicBarrier barrier = new CyclicBarrier(2);
        int rounds = second.length / CHUNK;
        CompletableFuture<StoredFile> left = CompletableFuture.supplyAsync(() -> writeInLockstep(a, first, barrier, rounds));
        CompletableFuture<StoredFile> right =
                CompletableFuture.supplyAsync(() -> writeInLockstep(b, second, barrier, rounds));
        StoredFile storedA = left.get(120, TimeUnit.SECONDS);
        StoredFile storedB = right.get(120, TimeUnit.SECONDS);

        assertThat(readAll(store, storedA)).isEqualTo(first);
        assertThat(readAll(replica, storedB)).isEqualTo(second);
        FileInfo infoA = indexRecordOf(storedA.id());
        FileInfo infoB = indexRecordOf(storedB.id());
        assertThat(infoA.getPartition()).isEqualTo(infoB.getPartition());
        assertThat(infoA.getLastOffset() - infoA.getFirstOffset() + 1)
                .as("the other file's chunks lie inside this file's range").isGreaterThan(infoA.getChunks());
    }

    /** Writes {@code content} a chunk at a time, meeting the other writer at the barrier after each of the first
     * {@code rounds} chunks, so that the two files' chunks alternate on the partition. */
    private StoredFile writeInLockstep(NewFile file, byte[] content, CyclicBarrier barrier, int rounds) {
        try {
            return store.write(file, out -> {
                for (int off = 0, round = 0; off < content.length; off += CHUNK, round++) {
                    out.write(content, off, Math.min(CHUNK, content.length - off));
                    if (round < rounds) {
                        try {
                            barrier.await(60, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            throw new IOException(e);
                        }
                    }
                }
            });
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private NewFile samePartitionAs(NewFile a, String tenant) {
        int partitions = 3;
        int target = partitionOf(a.id(), partitions);
        while (true) {
            NewFile candidate = newFile(tenant, "b.jsonl");
            if (partitionOf(candidate.id(), partitions) == target) {
                return candidate;
            }
        }
    }

    private static int partitionOf(String id, int partitions) {
        byte[] key = id.getBytes(StandardCharsets.UTF_8);
        return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key))
                % partitions;
    }

    private StoredFile awaitFile(String tenant, String id, FileInfo info) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var found = replica.get(tenant, id);
            if (found.isPresent() && found.get().createdAt().equals(info.getCreatedAt())) {
                return found.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("file " + id + " not visible to the replica");
    }

    private void writeIndexRecord(String id, FileInfo info) throws Exception {
        try (KafkaProducer<String, FileInfo> producer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig("files-it-forger"),
                new StringSerializer(), topics.fileIndex().valueSerializer())) {
            producer.send(new ProducerRecord<>(names.fileIndex(), id, info)).get(30, TimeUnit.SECONDS);
        }
    }

    /** The latest index record of {@code id}, read from the topic. */
    private FileInfo indexRecordOf(String id) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers()).consumerConfig("unused", "files-it-index",
                Map.of());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(names.fileIndex()).stream()
                    .map(p -> new TopicPartition(names.fileIndex(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            FileInfo latest = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (id.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        latest = record.value() == null ? null
                                : topics.fileIndex().valueDeserializer().deserialize(names.fileIndex(), record.value());
                    }
                }
            }
            assertThat(latest).as("index record of " + id).isNotNull();
            return latest;
        }
    }

    private long chunksOnTopic(String id) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers()).consumerConfig("unused", "files-it-chunks",
                Map.of());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(names.files()).stream()
                    .map(p -> new TopicPartition(names.files(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))
                    && System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (id.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        count++;
                    }
                }
            }
            return count;
        }
    }

    private NewFile newFile(String tenant, String filename) {
        Instant now = clock.instant();
        return new NewFile(FileIds.newId(), tenant, filename, StoredFile.PURPOSE_BATCH, now, now.plus(Duration.ofDays(1)));
    }

    private static byte[] readAll(FileStore store, StoredFile file) throws IOException {
        try (InputStream in = store.open(file)) {
            return in.readAllBytes();
        }
    }

    private static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static NewTopic newTopic(TopicSpec spec) {
        return new NewTopic(spec.name(), spec.partitions(), (short) 1).configs(spec.configs());
    }
}
