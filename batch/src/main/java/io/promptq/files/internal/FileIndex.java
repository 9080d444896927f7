package io.promptq.files.internal;

import io.promptq.files.StoredFile;
import io.promptq.schema.FileInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The file index as this replica knows it: every live {@link FileInfo} by id, and per tenant the files ordered newest
 * first, so that {@code get} is a map lookup and {@code list} walks one tenant's ordered view from its cursor.
 * Thread-safe: the index reader applies records while request threads read.
 */
final class FileIndex {

    /** A file and where its chunks are. */
    record Entry(StoredFile file, int partition, long firstOffset, long lastOffset, int chunks) {

        static Entry of(FileInfo info) {
            StoredFile file = new StoredFile(info.getFileId(), info.getTenant(), info.getFilename(), info.getPurpose(),
                    info.getBytes(), info.getCreatedAt(), info.getExpiresAt(), info.getSha256());
            return new Entry(file, info.getPartition(), info.getFirstOffset(), info.getLastOffset(), info.getChunks());
        }
    }

    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, NavigableSet<StoredFile>> byTenant = new ConcurrentHashMap<>();

    /** Applies an index record: a new or replaced file, or a tombstone ({@code info} null). */
    synchronized void apply(String id, @Nullable FileInfo info) {
        Entry previous = info == null ? byId.remove(id) : byId.put(id, Entry.of(info));
        if (previous != null) {
            NavigableSet<StoredFile> files = byTenant.get(previous.file().tenant());
            if (files != null) {
                files.remove(previous.file());
            }
        }
        if (info != null) {
            StoredFile file = byId.get(id).file();
            byTenant.computeIfAbsent(file.tenant(), t -> new ConcurrentSkipListSet<>(MemoryFileStore.NEWEST_FIRST))
                    .add(file);
        }
    }

    @Nullable Entry get(String id) {
        return byId.get(id);
    }

    /** Up to {@code limit} of {@code tenant}'s files after {@code after}, that {@code visible} accepts. */
    List<StoredFile> list(String tenant, @Nullable String after, int limit, boolean ascending,
            Predicate<StoredFile> visible) {
        NavigableSet<StoredFile> files = byTenant.get(tenant);
        if (files == null || limit <= 0) {
            return List.of();
        }
        NavigableSet<StoredFile> ordered = ascending ? files.descendingSet() : files;
        Entry cursor = after == null ? null : byId.get(after);
        if (cursor != null && cursor.file().tenant().equals(tenant)) {
            ordered = ordered.tailSet(cursor.file(), false);
        }
        List<StoredFile> page = new ArrayList<>(Math.min(limit, 64));
        for (StoredFile file : ordered) {
            if (visible.test(file)) {
                page.add(file);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }

    /** The ids of files expired at {@code now} (for the minute's sweep, not per request). */
    List<String> expired(Instant now) {
        Collection<Entry> entries = byId.values();
        List<String> ids = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.file().expiredAt(now)) {
                ids.add(entry.file().id());
            }
        }
        return ids;
    }
}
