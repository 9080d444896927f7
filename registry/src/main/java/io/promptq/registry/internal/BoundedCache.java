package io.promptq.registry.internal;

import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A concurrent map that holds about {@code capacity} entries: reads are a plain {@link
 * ConcurrentHashMap} lookup (no lock), and a put into a full cache first evicts an arbitrary entry.
 * Concurrent puts may overshoot the capacity by the number of racing threads, which is fine for a
 * cache of registry answers that can always be fetched again.
 */
final class BoundedCache<K, V> {

    private final ConcurrentHashMap<K, V> entries = new ConcurrentHashMap<>();
    private final int capacity;

    BoundedCache(int capacity) {
        this.capacity = capacity;
    }

    V get(K key) {
        return entries.get(key);
    }

    void put(K key, V value) {
        if (entries.size() >= capacity && !entries.containsKey(key)) {
            Iterator<K> keys = entries.keySet().iterator();
            if (keys.hasNext()) {
                keys.next();
                keys.remove();
            }
        }
        entries.put(key, value);
    }

    int size() {
        return entries.size();
    }
}
