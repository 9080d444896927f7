package io.promptq.aggregator.internal;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.SchemaRegistration;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
import io.promptq.topic.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Registers (or, without auto-registration, looks up) the value schemas the aggregator writes before Kafka
 * Streams starts, through {@link SchemaRegistration}: registry problems then fail the start-up with a clear
 * message instead of a stream thread, and the ids are cached in the shared client, so processing does no
 * registry I/O.
 */
public final class SchemaBootstrap {

    private SchemaBootstrap() {}

    /** Registers JobResult under the results subject (the dedup store's changelog uses it) and JobStats under totals and windows. */
    public static void ensureSchemas(SchemaRegistryClient registry, Topics topics, boolean autoRegister) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(AvroSerdes.subjectName(topics.results().name(), false), JobResult.getClassSchema());
        subjects.put(AvroSerdes.subjectName(topics.totals().name(), false), JobStats.getClassSchema());
        subjects.put(AvroSerdes.subjectName(topics.windows().name(), false), JobStats.getClassSchema());
        SchemaRegistration registration = SchemaRegistration.of(registry);
        if (autoRegister) {
            registration.registerAll(subjects);
        } else {
            registration.requireRegistered(subjects);
        }
    }
}
