package io.promptq.registry;

import java.net.URI;
import java.util.List;

/**
 * No registry URL gave a usable answer after all retries: connections were refused or timed out,
 * or the registry kept answering with a transient status (5xx, 408, 429). Retrying later may help;
 * changing the request will not.
 */
public class RegistryUnreachableException extends SchemaRegistryException {

    private static final long serialVersionUID = 1L;

    private final List<URI> urls;

    public RegistryUnreachableException(List<URI> urls, int attempts, String lastFailure, Throwable cause) {
        super("Schema registry unreachable at " + urls + " after " + attempts + " attempt(s): " + lastFailure, cause);
        this.urls = List.copyOf(urls);
    }

    /** The registry URLs that were tried. */
    public List<URI> urls() {
        return urls;
    }
}
