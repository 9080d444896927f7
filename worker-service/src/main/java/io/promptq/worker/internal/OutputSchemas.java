package io.promptq.worker.internal;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.SchemaRegistration;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.RetryJob;
import io.promptq.schema.WorkerStatus;
import io.promptq.topic.TopicNames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * The value schemas of the topics the worker writes, registered once at start-up through {@link
 * SchemaRegistration}: the first outcomes, published concurrently by many job threads, then find the ids in the
 * client's cache instead of racing to create the same subject, and a registry that refuses the schemas
 * (incompatible, unreachable) stops the start-up instead of the first jobs.
 */
final class OutputSchemas {

    private OutputSchemas() {}

    /** The subjects the worker writes and their schemas, in registration order. */
    static Map<String, Schema> subjects(TopicNames names, int tiers) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(AvroSerdes.subjectName(names.results(), false), JobResult.getClassSchema());
        subjects.put(AvroSerdes.subjectName(names.deadLetters(), false), DeadLetter.getClassSchema());
        subjects.put(AvroSerdes.subjectName(names.idempotency(), false), IdempotencyEntry.getClassSchema());
        subjects.put(AvroSerdes.subjectName(names.status(), false), JobStateChange.getClassSchema());
        for (String retry : names.retries(tiers)) {
            subjects.put(AvroSerdes.subjectName(retry, false), RetryJob.getClassSchema());
        }
        subjects.put(AvroSerdes.subjectName(names.workers(), false), WorkerStatus.getClassSchema());
        return subjects;
    }

    static void register(SchemaRegistryClient registry, TopicNames names, int tiers) {
        SchemaRegistration.of(registry).registerAll(subjects(names, tiers));
    }
}
