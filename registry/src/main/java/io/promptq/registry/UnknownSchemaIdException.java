package io.promptq.registry;

/**
 * The registry holds no schema with the id read from a record (or asked for), typically because
 * the record was written against another registry or the schema was deleted.
 */
public class UnknownSchemaIdException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final int schemaId;

    public UnknownSchemaIdException(int schemaId, String registry) {
        super("Schema id " + schemaId + " is unknown to the schema registry at " + registry);
        this.schemaId = schemaId;
    }

    /** The id that the registry does not know. */
    public int schemaId() {
        return schemaId;
    }
}
