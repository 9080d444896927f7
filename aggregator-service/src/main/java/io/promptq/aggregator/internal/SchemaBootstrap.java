package io.promptq.aggregator.internal;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.IncompatibleSchemaException;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.UnknownSchemaException;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
import io.promptq.topic.Topics;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers (or, without auto-registration, looks up) the value schemas the aggregator writes before Kafka
 * Streams starts: registry problems then fail the start-up with a clear message instead of a stream thread,
 * and the ids are cached in the shared client, so processing does no registry I/O.
 *
 * <p>Two instances starting together may race to create a subject; the registry then answers 409 to the
 * loser (Apicurio: "artifact already exists"). A 409 is therefore retried as a lookup of the same schema.
 */
public final class SchemaBootstrap {

    private static final Logger log = LoggerFactory.getLogger(SchemaBootstrap.class);
    private static final int ATTEMPTS = 5;

    private SchemaBootstrap() {}

    /** Registers JobResult under the results subject (the dedup store's changelog uses it) and JobStats under totals and windows. */
    public static void ensureSchemas(SchemaRegistryClient registry, Topics topics, boolean autoRegister) {
        ensure(registry, AvroSerdes.subjectName(topics.results().name(), false), JobResult.getClassSchema(), autoRegister);
        ensure(registry, AvroSerdes.subjectName(topics.totals().name(), false), JobStats.getClassSchema(), autoRegister);
        ensure(registry, AvroSerdes.subjectName(topics.windows().name(), false), JobStats.getClassSchema(), autoRegister);
    }

    private static void ensure(SchemaRegistryClient registry, String subject, Schema schema, boolean autoRegister) {
        if (!autoRegister) {
            try {
                registry.idOf(subject, schema);
                return;
            } catch (UnknownSchemaException e) {
                throw new IllegalStateException("schema " + schema.getFullName() + " is not registered under " + subject
                        + " and auto-registration is off (PROMPTQ_SCHEMA_REGISTRY_AUTO_REGISTER=false)", e);
            }
        }
        for (int attempt = 1; ; attempt++) {
            try {
                int id = registry.register(subject, schema);
                log.debug("Schema {} is id {} under {}", schema.getFullName(), id, subject);
                return;
            } catch (IncompatibleSchemaException e) {
                try {
                    registry.idOf(subject, schema); // registered concurrently by another instance
                    return;
                } catch (UnknownSchemaException notThere) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                }
                sleep(100L * attempt);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering schemas", e);
        }
    }
}
