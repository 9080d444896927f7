package io.promptq.files.internal;

import io.promptq.files.FileStore;
import io.promptq.files.FileTooLargeException;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/** {@link FileStore#inMemory}: files as byte arrays in a map. */
public final class MemoryFileStore implements FileStore {

    /** Newest first: creation time, then id, both descending. */
    public static final Comparator<StoredFile> NEWEST_FIRST =
            Comparator.comparing(StoredFile::createdAt).thenComparing(StoredFile::id).reversed();

    private record Entry(StoredFile file, byte[] content) {}

    private final FilesConfig config;
    private final Clock clock;
    private final Map<String, Entry> files = new ConcurrentHashMap<>();

    public MemoryFileStore(FilesConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public StoredFile write(NewFile file, ContentWriter writer) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        MessageDigest digest = sha256();
        long max = config.maxBytes();
        OutputStream limited = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (buffer.size() + (long) len > max) {
                    throw new FileTooLargeException(max);
                }
                buffer.write(b, off, len);
                digest.update(b, off, len);
            }
        };
        writer.writeTo(limited);
        StoredFile stored = new StoredFile(file.id(), file.tenant(), file.filename(), file.purpose(), buffer.size(),
                file.createdAt(), file.expiresAt(), HexFormat.of().formatHex(digest.digest()));
        files.put(file.id(), new Entry(stored, buffer.toByteArray()));
        return stored;
    }

    @Override
    public Optional<StoredFile> get(String tenant, String id) {
        Entry entry = files.get(id);
        if (entry == null || !entry.file().tenant().equals(tenant) || entry.file().expiredAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(entry.file());
    }

    @Override
    public InputStream open(StoredFile file) throws IOException {
        Entry entry = files.get(file.id());
        if (entry == null || !entry.file().equals(file) || entry.file().expiredAt(clock.instant())) {
            throw new FileNotFoundException(file.id());
        }
        return new ByteArrayInputStream(entry.content());
    }

    @Override
    public List<StoredFile> list(String tenant, @Nullable String purpose, @Nullable String after, int limit,
            boolean ascending) {
        Comparator<StoredFile> order = ascending ? NEWEST_FIRST.reversed() : NEWEST_FIRST;
        StoredFile cursor = after == null ? null : Optional.ofNullable(files.get(after)).map(Entry::file).orElse(null);
        return files.values().stream()
                .map(Entry::file)
                .filter(f -> f.tenant().equals(tenant) && !f.expiredAt(clock.instant()))
                .filter(f -> purpose == null || purpose.equals(f.purpose()))
                .filter(f -> cursor == null || order.compare(f, cursor) > 0)
                .sorted(order)
                .limit(limit)
                .toList();
    }

    @Override
    public boolean delete(String tenant, String id) {
        Entry entry = files.get(id);
        return entry != null && entry.file().tenant().equals(tenant) && files.remove(id, entry);
    }

    @Override
    public void close() {
        files.clear();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
