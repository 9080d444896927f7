package io.promptq.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry REST API that producers and consumers of promptq
 * records need. Implementations cache schemas and ids in both directions and are thread-safe.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /**
     * Registers {@code schema} under {@code subject} (or finds it, if already registered) and
     * returns its global id.
     *
     * @throws IncompatibleSchemaException if the subject's compatibility rule refuses the schema
     * @throws RegistryUnreachableException if the registry cannot be reached after retries
     */
    int register(String subject, Schema schema);

    /**
     * Returns the id of {@code schema} under {@code subject} without registering it.
     *
     * @throws UnknownSchemaException if the subject does not hold this schema
     */
    int idOf(String subject, Schema schema);

    /**
     * Returns the schema with the given global id.
     *
     * @throws UnknownSchemaIdException if the registry has no schema with that id
     */
    Schema schemaById(int id);

    /**
     * Whether {@code schema} may be registered under {@code subject} given its compatibility rule
     * and latest version; true for a subject that holds no schema yet.
     */
    boolean isCompatible(String subject, Schema schema);

    /**
     * Sets the compatibility level of one subject: {@code NONE}, {@code BACKWARD}, {@code FORWARD},
     * {@code FULL} or one of their {@code _TRANSITIVE} variants.
     *
     * @throws IllegalArgumentException if {@code level} is none of these
     */
    void setCompatibility(String subject, String level);

    @Override
    void close();

    /** A client of the registry at {@code config.urls()}; it connects lazily, on the first request. */
    static SchemaRegistryClient create(RegistryConfig config) {
        return new io.promptq.registry.internal.HttpSchemaRegistryClient(config);
    }

    /**
     * An in-memory registry for unit tests ({@code TopologyTestDriver}, serde tests). It assigns
     * ids and stores schemas but checks no compatibility.
     */
    static SchemaRegistryClient inMemory() {
        return new io.promptq.registry.internal.InMemorySchemaRegistryClient();
    }
}
