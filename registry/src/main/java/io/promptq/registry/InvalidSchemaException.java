package io.promptq.registry;

/**
 * The registry rejected a request as invalid (HTTP 422): a malformed schema, or an unknown
 * compatibility level. The message carries the registry's own explanation.
 */
public class InvalidSchemaException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final String subject;

    public InvalidSchemaException(String subject, String registryMessage) {
        super("Registry rejected the request for subject '" + subject + "' as invalid: " + registryMessage);
        this.subject = subject;
    }

    /** The subject of the rejected request. */
    public String subject() {
        return subject;
    }
}
