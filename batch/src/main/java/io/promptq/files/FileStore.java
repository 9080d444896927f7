package io.promptq.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where the Files API keeps files: written and read as streams, listed per tenant, deleted, expired. Thread-safe.
 * The production store is {@code KafkaFileStore} (chunks on the files topic, metadata on the compacted file index);
 * {@link #inMemory} is for tests of code that only needs a store.
 */
public interface FileStore extends AutoCloseable {

    /** Writes a file's content to a stream given to a writer. */
    @FunctionalInterface
    interface ContentWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Stores a file whose content {@code writer} writes, and returns it once it is durable and visible to
     * {@link #get} on every replica that has caught up. The content is chunked as it is written: memory use does not
     * grow with the file's size.
     *
     * @throws FileTooLargeException when the content exceeds the limit; the file is not stored
     * @throws IOException when the writer fails or the store cannot be written
     */
    StoredFile write(NewFile file, ContentWriter writer) throws IOException;

    /** As {@link #write}, copying {@code content}. */
    default StoredFile put(NewFile file, InputStream content) throws IOException {
        return write(file, content::transferTo);
    }

    /**
     * The file {@code id} if it exists, belongs to {@code tenant} and has not expired. A file written through another
     * replica a moment ago is found: on a miss the store first catches up with the index (bounded wait).
     */
    Optional<StoredFile> get(String tenant, String id);

    /**
     * The content of {@code file}, streamed from the store. Reading fails with an {@link IOException} when the
     * content is incomplete or does not match the file's checksum.
     *
     * @throws java.io.FileNotFoundException when the file was deleted or expired since it was looked up
     */
    InputStream open(StoredFile file) throws IOException;

    /**
     * A page of {@code tenant}'s live files, ordered by creation time (then id), newest first unless
     * {@code ascending}: those after the file {@code after} in that order, at most {@code limit}.
     *
     * @param purpose only files with this purpose, or all when null
     */
    List<StoredFile> list(String tenant, @Nullable String purpose, @Nullable String after, int limit, boolean ascending);

    /** Deletes {@code tenant}'s file {@code id}: it is gone for every reader; returns false if there was none. */
    boolean delete(String tenant, String id) throws IOException;

    @Override
    void close();

    /**
     * The production store: chunks on the files topic, metadata on the compacted file index (both from
     * {@code topics}), which it reads from the start in the background to answer {@link #get} and {@link #list}.
     * The topics must exist ({@code TopicSpecs#batchApi}).
     */
    static FileStore kafka(io.promptq.kafka.KafkaSettings kafka, io.promptq.topic.Topics topics, FilesConfig config,
            String clientId) {
        return kafka(kafka, topics, config, clientId, java.time.Clock.systemUTC());
    }

    /** As {@link #kafka(io.promptq.kafka.KafkaSettings, io.promptq.topic.Topics, FilesConfig, String)}, with the
     * clock that decides expiry (tests move it). */
    static FileStore kafka(io.promptq.kafka.KafkaSettings kafka, io.promptq.topic.Topics topics, FilesConfig config,
            String clientId, java.time.Clock clock) {
        return new io.promptq.files.internal.KafkaFileStore(kafka, topics, config, clientId, clock);
    }

    /** A store in this JVM's memory, for tests and tools that need no durability. */
    static FileStore inMemory(FilesConfig config) {
        return new io.promptq.files.internal.MemoryFileStore(config, java.time.Clock.systemUTC());
    }
}
