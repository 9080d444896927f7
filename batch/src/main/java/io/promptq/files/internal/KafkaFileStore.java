package io.promptq.files.internal;

import io.promptq.files.FileStore;
import io.promptq.files.FileTooLargeException;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.FileChunk;
import io.promptq.schema.FileInfo;
import io.promptq.topic.Topics;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FileStore#kafka}: a file's bytes are {@link FileChunk} records keyed by its id on the files topic, all in the
 * partition of its key; its metadata and location a {@link FileInfo} on the compacted file index, which every replica
 * reads from the start into memory ({@link IndexReader}). A write streams chunks as they fill (the producer's buffer
 * bounds memory), then writes the index record and applies it locally before returning. {@link #delete} and expiry
 * write index tombstones; the chunks themselves go with the files topic's retention (the file retention plus a day),
 * not at once.
 */
public final class KafkaFileStore implements FileStore {

    private static final Logger log = LoggerFactory.getLogger(KafkaFileStore.class);
    /** How long a {@link #get} miss waits for the index reader to catch up with the index. */
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(3);
    /** How often expired files get their tombstones. */
    static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);
    /** How long a reader of a file's content waits for its next chunk. */
    static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(60);
    private static final int RECORD_OVERHEAD = 64 * 1024;

    private final KafkaSettings kafka;
    private final Topics topics;
    private final FilesConfig config;
    private final String clientId;
    private final Clock clock;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final FileIndex index = new FileIndex();
    private final IndexReader reader;
    private final ScheduledExecutorService sweeper;

    public KafkaFileStore(KafkaSettings kafka, Topics topics, FilesConfig config, String clientId, Clock clock) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.config = Objects.requireNonNull(config, "config");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clock = Objects.requireNonNull(clock, "clock");
        int recordBytes = config.chunkBytes() + RECORD_OVERHEAD;
        Map<String, Object> producerDefaults = Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(1024 * 1024, 2 * recordBytes),
                ProducerConfig.BUFFER_MEMORY_CONFIG, (long) Math.max(8 * 1024 * 1024, 8 * recordBytes),
                ProducerConfig.BATCH_SIZE_CONFIG, recordBytes);
        this.producer = new KafkaProducer<>(kafka.producerConfig(clientId + "-files", producerDefaults),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.admin = Admin.create(kafka.adminConfig(clientId + "-files-admin"));
        this.reader = new IndexReader(indexConsumer(), topics.fileIndex(), index);
        reader.start();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("promptq-files-expiry").factory());
        sweeper.scheduleWithFixedDelay(this::sweepExpired, SWEEP_INTERVAL.toMillis(), SWEEP_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public StoredFile write(NewFile file, ContentWriter writer) throws IOException {
        String topic = topics.files().name();
        byte[] key = file.id().getBytes(StandardCharsets.UTF_8);
        int partition = Utils.toPositive(Utils.murmur2(key)) % producer.partitionsFor(topic).size();
        ChunkWriter chunks = new ChunkWriter(file.id(), topic, partition, key);
        writer.writeTo(chunks);
        chunks.flushChunk();
        List<RecordMetadata> acked = new ArrayList<>(chunks.sent.size());
        for (Future<RecordMetadata> sent : chunks.sent) {
            acked.add(await(sent, file.id()));
        }
        FileInfo info = FileInfo.newBuilder()
                .setFileId(file.id())
                .setTenant(file.tenant())
                .setFilename(file.filename())
                .setPurpose(file.purpose())
                .setBytes(chunks.bytes)
                .setCreatedAt(file.createdAt())
                .setExpiresAt(file.expiresAt())
                .setPartition(partition)
                .setFirstOffset(acked.isEmpty() ? -1 : acked.getFirst().offset())
                .setLastOffset(acked.isEmpty() ? -1 : acked.getLast().offset())
                .setChunks(acked.size())
                .setSha256(HexFormat.of().formatHex(chunks.digest.digest()))
                .build();
        writeIndex(file.id(), info);
        return Objects.requireNonNull(index.get(file.id())).file();
    }

    @Override
    public Optional<StoredFile> get(String tenant, String id) {
        return Optional.ofNullable(entry(tenant, id)).map(FileIndex.Entry::file);
    }

    @Override
    public InputStream open(StoredFile file) throws IOException {
        FileIndex.Entry entry = index.get(file.id());
        if (entry == null || !entry.file().equals(file) || file.expiredAt(clock.instant())) {
            throw new FileNotFoundException(file.id());
        }
        int fetch = Math.max(1024 * 1024, 2 * (config.chunkBytes() + RECORD_OVERHEAD));
        Map<String, Object> props = kafka.consumerConfig("unused", clientId + "-files-reader", Map.of(
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetch,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetch,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new ChunkInputStream(new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                topics.files().valueDeserializer(), topics.files().name(), entry, STALL_TIMEOUT);
    }

    @Override
    public List<StoredFile> list(String tenant, @Nullable String purpose, @Nullable String after, int limit,
            boolean ascending) {
        if (!reader.loadedOnce()) {
            catchUp();
        }
        Instant now = clock.instant();
        return index.list(tenant, after, limit, ascending,
                f -> !f.expiredAt(now) && (purpose == null || purpose.equals(f.purpose())));
    }

    @Override
    public boolean delete(String tenant, String id) throws IOException {
        if (entry(tenant, id) == null) {
            return false;
        }
        writeIndex(id, null);
        return true;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        reader.close();
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
    }

    /** Writes tombstones for the files expired by now; every replica may do so, a tombstone twice is harmless. */
    void sweepExpired() {
        try {
            for (String id : index.expired(clock.instant())) {
                producer.send(new ProducerRecord<>(topics.fileIndex().name(), id.getBytes(StandardCharsets.UTF_8),
                        null));
            }
        } catch (RuntimeException e) {
            log.warn("Expiring files failed; next try in {}: {}", SWEEP_INTERVAL, e.toString());
        }
    }

    private FileIndex.@Nullable Entry entry(String tenant, String id) {
        FileIndex.Entry entry = index.get(id);
        if (entry == null) {
            catchUp();
            entry = index.get(id);
        }
        if (entry == null || !entry.file().tenant().equals(tenant) || entry.file().expiredAt(clock.instant())) {
            return null;
        }
        return entry;
    }

    /** Waits (bounded) until the index reader has read up to the index's end offsets as of now. */
    private void catchUp() {
        try {
            String topic = topics.fileIndex().name();
            var partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(CATCH_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions();
            Map<org.apache.kafka.common.TopicPartition, OffsetSpec> request = new HashMap<>();
            partitions.forEach(p -> request.put(new org.apache.kafka.common.TopicPartition(topic, p.partition()),
                    OffsetSpec.latest()));
            Map<org.apache.kafka.common.TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(request).all().get(CATCH_UP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<Integer, Long> targets = new HashMap<>();
            ends.forEach((tp, info) -> targets.put(tp.partition(), info.offset()));
            reader.awaitPositions(targets, CATCH_UP_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("Catching up with the file index failed: {}", e.toString());
        }
    }

    private void writeIndex(String id, @Nullable FileInfo info) throws IOException {
        String topic = topics.fileIndex().name();
        byte[] value = info == null ? null : topics.fileIndex().valueSerializer().serialize(topic, info);
        await(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), value)), id);
        index.apply(id, info);
    }

    private static RecordMetadata await(Future<RecordMetadata> sent, String id) throws IOException {
        try {
            return sent.get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while storing file " + id);
        } catch (ExecutionException e) {
            throw new IOException("storing file " + id + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("storing file " + id + " not acknowledged within " + ACK_TIMEOUT.toSeconds() + " s");
        }
    }

    private KafkaConsumer<byte[], byte[]> indexConsumer() {
        Map<String, Object> props = kafka.consumerConfig("unused", clientId + "-files-index", Map.of());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stream a writer writes to: fills one chunk buffer, sends it when full, counts and hashes on the way. */
    private final class ChunkWriter extends OutputStream {

        private final String fileId;
        private final String topic;
        private final int partition;
        private final byte[] key;
        private final byte[] buffer = new byte[config.chunkBytes()];
        private final MessageDigest digest = sha256();
        private final List<Future<RecordMetadata>> sent = new ArrayList<>();
        private int filled;
        private long bytes;

        ChunkWriter(String fileId, String topic, int partition, byte[] key) {
            this.fileId = fileId;
            this.topic = topic;
            this.partition = partition;
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (bytes + len > config.maxBytes()) {
                throw new FileTooLargeException(config.maxBytes());
            }
            bytes += len;
            digest.update(b, off, len);
            while (len > 0) {
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) {
                    flushChunk();
                }
            }
        }

        /** Sends the buffered bytes as the next chunk (the serializer copies them, so the buffer is reused). */
        void flushChunk() {
            if (filled == 0) {
                return;
            }
            FileChunk chunk = new FileChunk(fileId, sent.size(), ByteBuffer.wrap(buffer, 0, filled));
            byte[] value = topics.files().valueSerializer().serialize(topic, chunk);
            sent.add(producer.send(new ProducerRecord<>(topic, partition, key, value)));
            filled = 0;
        }
    }
}
