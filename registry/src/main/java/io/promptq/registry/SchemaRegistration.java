package io.promptq.registry;

import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a service's schemas before it starts, so that the first records find the ids in the client's cache
 * instead of racing other threads (and instances) to create the same subjects, and so that a registry that
 * refuses them stops the start-up with the subject in the log instead of failing the first jobs.
 *
 * <p>Each subject is registered through {@link SchemaRegistryClient#register}, which already retries transient
 * HTTP failures and resolves a 409 from a concurrent registration of the same schema. What is left for this
 * class is the start-up race between instances on registries that only make a concurrent registration visible
 * a moment later: a failed subject is tried again with full-jitter backoff, {@link #DEFAULT_ATTEMPTS} attempts
 * in all, and then the last failure is thrown. Immutable and thread-safe.
 */
public final class SchemaRegistration {

    /** Attempts per subject by default. */
    public static final int DEFAULT_ATTEMPTS = 5;
    /** Default waits between attempts: 100 ms doubling up to 1 s, full jitter, {@link #DEFAULT_ATTEMPTS} attempts. */
    public static final Backoff DEFAULT_BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1))
            .fullJitter().maxAttempts(DEFAULT_ATTEMPTS).build();

    private static final Logger log = LoggerFactory.getLogger(SchemaRegistration.class);

    private final SchemaRegistryClient client;
    private final Backoff backoff;

    private SchemaRegistration(SchemaRegistryClient client, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** Registration through {@code client} with the {@link #DEFAULT_BACKOFF}. */
    public static SchemaRegistration of(SchemaRegistryClient client) {
        return new SchemaRegistration(client, DEFAULT_BACKOFF);
    }

    /** Registration through {@code client}, waiting and giving up as {@code backoff} says (it must be bounded). */
    public static SchemaRegistration of(SchemaRegistryClient client, Backoff backoff) {
        if (backoff.maxAttempts() == Integer.MAX_VALUE && backoff.maxElapsed().isEmpty()) {
            throw new IllegalArgumentException("backoff must bound attempts or time, but was " + backoff);
        }
        return new SchemaRegistration(client, backoff);
    }

    /**
     * Registers each subject's schema (or finds it registered), in the map's order.
     *
     * @return the schema ids by subject, in the same order
     * @throws SchemaRegistryException the last failure of the first subject that could not be registered
     */
    public Map<String, Integer> registerAll(Map<String, Schema> schemasBySubject) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        schemasBySubject.forEach((subject, schema) -> ids.put(subject, register(subject, schema)));
        return Collections.unmodifiableMap(ids);
    }

    /**
     * Looks up each subject's schema without registering it, for services whose serializers do not
     * auto-register: a schema that is missing stops the start-up here, naming it.
     *
     * @return the schema ids by subject, in the map's order
     * @throws IllegalStateException naming the first schema and subject that are not registered
     */
    public Map<String, Integer> requireRegistered(Map<String, Schema> schemasBySubject) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        schemasBySubject.forEach((subject, schema) -> {
            try {
                ids.put(subject, client.idOf(subject, schema));
            } catch (UnknownSchemaException e) {
                throw new IllegalStateException("schema " + schema.getFullName() + " is not registered under "
                        + subject + " and auto-registration is off (" + RegistryConfig.AUTO_REGISTER_SCHEMAS_CONFIG
                        + "=false)", e);
            }
        });
        return Collections.unmodifiableMap(ids);
    }

    private int register(String subject, Schema schema) {
        Backoff.Attempts attempts = backoff.start();
        while (true) {
            try {
                int id = client.register(subject, schema);
                log.debug("Schema {} is id {} under {}", schema.getFullName(), id, subject);
                return id;
            } catch (SchemaRegistryException e) {
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.warn("Registering the schema of {} failed {} times; giving up: {}", subject,
                            attempts.failures(), e.getMessage());
                    throw e;
                }
                log.info("Registering the schema of {} failed ({}); trying again in {} ms", subject, e.getMessage(),
                        wait.get().toMillis());
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
