package io.promptq.registry.internal;

import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.UnknownSchemaException;
import io.promptq.registry.UnknownSchemaIdException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * A registry in memory, for unit tests. Like a real registry it assigns global ids from 1 and gives
 * an equal schema the same id in every subject; unlike one it checks no compatibility.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {

    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Schema, Integer> idsBySchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Set<Integer>> idsBySubject = new ConcurrentHashMap<>();
    private final Map<String, String> compatibilityBySubject = new ConcurrentHashMap<>();

    @Override
    public int register(String subject, Schema schema) {
        int id = idsBySchema.computeIfAbsent(schema, s -> {
            int next = nextId.incrementAndGet();
            schemasById.put(next, s);
            return next;
        });
        idsBySubject.computeIfAbsent(subject, s -> ConcurrentHashMap.newKeySet()).add(id);
        return id;
    }

    @Override
    public int idOf(String subject, Schema schema) {
        Integer id = idsBySchema.get(schema);
        if (id == null || !idsBySubject.getOrDefault(subject, Set.of()).contains(id)) {
            throw new UnknownSchemaException(subject, "no such schema in the in-memory registry");
        }
        return id;
    }

    @Override
    public Schema schemaById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new UnknownSchemaIdException(id, "the in-memory registry");
        }
        return schema;
    }

    /** Always true: the in-memory registry checks no compatibility. */
    @Override
    public boolean isCompatible(String subject, Schema schema) {
        return true;
    }

    /** Records the level, which the in-memory registry does not enforce. */
    @Override
    public void setCompatibility(String subject, String level) {
        compatibilityBySubject.put(subject, level);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
