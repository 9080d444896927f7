package io.promptq.registry;

/**
 * The registry refused a schema because it breaks the subject's compatibility rule (HTTP 409), e.g.
 * a new required field without a default under {@code BACKWARD}. The message carries the
 * registry's own explanation.
 */
public class IncompatibleSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String subject;
    private final String registryMessage;

    public IncompatibleSchemaException(String subject, String registryMessage) {
        super("Schema is incompatible with subject '" + subject + "': " + registryMessage);
        this.subject = subject;
        this.registryMessage = registryMessage;
    }

    /** The subject whose compatibility rule refused the schema. */
    public String subject() {
        return subject;
    }

    /** The registry's explanation, verbatim. */
    public String registryMessage() {
        return registryMessage;
    }
}
