package io.promptq.files.internal;

import io.promptq.schema.FileChunk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;

/**
 * A stored file's content read lazily from the files topic: a consumer assigned to the file's partition, positioned at
 * its first chunk, yields the records keyed by the file's id up to its last offset (other files' chunks interleaved
 * with them are skipped). The chunks must come in index order, and their count and SHA-256 must match the index
 * record: otherwise reading fails with an {@link IOException} naming the file, rather than returning wrong bytes.
 * Memory is bounded by the consumer's fetch sizes, not by the file.
 */
final class ChunkInputStream extends InputStream {

    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<FileChunk> chunks;
    private final StringDeserializer keys = new StringDeserializer();
    private final FileIndex.Entry entry;
    private final String topic;
    private final Duration stallTimeout;
    private final MessageDigest digest = KafkaFileStore.sha256();
    private Iterator<ConsumerRecord<byte[], byte[]>> polled = List.<ConsumerRecord<byte[], byte[]>>of().iterator();
    private ByteBuffer current = ByteBuffer.allocate(0);
    private int nextIndex;
    private long lastSeen = -1;
    private long bytes;
    private boolean done;
    private boolean closed;
    private @Nullable IOException failure;

    ChunkInputStream(Consumer<byte[], byte[]> consumer, Deserializer<FileChunk> chunks, String topic,
            FileIndex.Entry entry, Duration stallTimeout) {
        this.consumer = consumer;
        this.chunks = chunks;
        this.topic = topic;
        this.entry = entry;
        this.stallTimeout = stallTimeout;
        if (entry.chunks() > 0) {
            TopicPartition partition = new TopicPartition(topic, entry.partition());
            consumer.assign(List.of(partition));
            consumer.seek(partition, entry.firstOffset());
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream of file " + entry.file().id() + " is closed");
        }
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        while (!current.hasRemaining()) {
            if (done || !nextChunk()) {
                return -1;
            }
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @Override
    public int available() {
        return current.remaining();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Loads the next chunk of the file into {@code current}; false (after checking the whole) at the end. */
    private boolean nextChunk() throws IOException {
        if (nextIndex == entry.chunks()) {
            finish();
            return false;
        }
        long deadline = System.nanoTime() + stallTimeout.toNanos();
        while (true) {
            while (polled.hasNext()) {
                ConsumerRecord<byte[], byte[]> record = polled.next();
                lastSeen = record.offset();
                if (record.offset() > entry.lastOffset()) {
                    throw corrupt("only " + nextIndex + " of " + entry.chunks() + " chunks up to offset "
                            + entry.lastOffset());
                }
                if (!entry.file().id().equals(keys.deserialize(topic, record.key()))) {
                    continue;
                }
                FileChunk chunk = chunks.deserialize(topic, record.headers(), record.value());
                if (chunk.getIndex() != nextIndex || !entry.file().id().equals(chunk.getFileId())) {
                    throw corrupt("chunk " + chunk.getIndex() + " of " + chunk.getFileId() + " at offset "
                            + record.offset() + " where chunk " + nextIndex + " was expected");
                }
                nextIndex++;
                current = chunk.getData();
                bytes += current.remaining();
                digest.update(current.duplicate());
                if (record.offset() == entry.lastOffset() && nextIndex != entry.chunks()) {
                    throw corrupt("only " + nextIndex + " of " + entry.chunks() + " chunks up to offset "
                            + entry.lastOffset());
                }
                return true;
            }
            if (lastSeen >= entry.lastOffset()) {
                throw corrupt("only " + nextIndex + " of " + entry.chunks() + " chunks up to offset "
                        + entry.lastOffset());
            }
            if (System.nanoTime() - deadline > 0) {
                throw corrupt("no chunk " + nextIndex + " within " + stallTimeout.toSeconds() + " s");
            }
            try {
                polled = consumer.poll(Duration.ofMillis(500)).iterator();
            } catch (KafkaException e) {
                throw corrupt("reading chunk " + nextIndex + " failed: " + e.getMessage(), e);
            }
        }
    }

    private void finish() throws IOException {
        done = true;
        String sha = HexFormat.of().formatHex(digest.digest());
        if (bytes != entry.file().bytes() || !sha.equals(entry.file().sha256())) {
            throw corrupt("content differs from the index: " + bytes + " bytes with SHA-256 " + sha + ", expected "
                    + entry.file().bytes() + " bytes with " + entry.file().sha256());
        }
    }

    private IOException corrupt(String detail) {
        return corrupt(detail, null);
    }

    private IOException corrupt(String detail, @Nullable Throwable cause) {
        done = true;
        failure = new IOException("file " + entry.file().id() + " (" + topic + "/" + entry.partition() + " offsets "
                + entry.firstOffset() + ".." + entry.lastOffset() + "): " + detail, cause);
        return failure;
    }
}
