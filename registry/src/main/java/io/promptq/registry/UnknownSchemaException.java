package io.promptq.registry;

/**
 * A schema (or its whole subject) is not registered, raised when serializers are configured not to
 * register schemas themselves ({@code auto.register.schemas=false}) and nobody registered it.
 */
public class UnknownSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public UnknownSchemaException(String subject, String registryMessage) {
        super("Schema is not registered under subject '" + subject + "': " + registryMessage);
        this.subject = subject;
    }

    /** The subject that lacks the schema. */
    public String subject() {
        return subject;
    }
}
