package io.promptq.registry.internal;

import io.promptq.registry.SchemaRegistryException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A cache lookup whose misses are collapsed: concurrent callers missing the same key share one load
 * instead of each asking the registry (a stampede when many threads decode a backlog on a cold
 * cache). The first caller loads and the others wait for its result, or get its exception, the very
 * one the single call would throw. A failed load is not remembered, so a later call loads again.
 *
 * <p>A hit costs one lock-free cache read. The loader must cache what it loads before returning, and
 * must not return null.
 */
final class SingleFlight<K, V> {

    private final Function<K, V> cached;
    private final Function<K, V> loader;
    private final ConcurrentHashMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /**
     * @param cached the cache read, null on a miss
     * @param loader loads a missing value and caches it
     */
    SingleFlight(Function<K, V> cached, Function<K, V> loader) {
        this.cached = cached;
        this.loader = loader;
    }

    V get(K key) {
        V value = cached.apply(key);
        while (value == null) {
            CompletableFuture<V> load = new CompletableFuture<>();
            CompletableFuture<V> running = inFlight.putIfAbsent(key, load);
            value = running == null ? lead(key, load) : await(running);
        }
        return value;
    }

    private V lead(K key, CompletableFuture<V> load) {
        try {
            V value = cached.apply(key); // a load that ended between our miss and our start
            if (value == null) {
                value = loader.apply(key);
            }
            load.complete(value);
            return value;
        } catch (Throwable e) {
            // An interrupt is this thread's own business: the waiters get null and load again themselves.
            if (Thread.currentThread().isInterrupted()) {
                load.complete(null);
            } else {
                load.completeExceptionally(e);
            }
            throw e;
        } finally {
            inFlight.remove(key, load);
        }
    }

    /** The loaded value, or null if its loader was interrupted. */
    private @Nullable V await(CompletableFuture<V> load) {
        try {
            return load.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause()); // unreachable: a Function throws no checked exception
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("Interrupted while waiting for a schema registry answer", e);
        }
    }
}
