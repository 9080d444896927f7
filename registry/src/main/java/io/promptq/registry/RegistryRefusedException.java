package io.promptq.registry;

/**
 * The registry answered with a status the request does not explain, such as 401/403 after a credential
 * change or a 404 for a subject during a failover: a fault of the registry or its configuration, not of
 * the record being serialized or read. Consumers should back off and try again rather than dead-letter
 * the record.
 */
public class RegistryRefusedException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public RegistryRefusedException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The HTTP status the registry answered with. */
    public int status() {
        return status;
    }
}
