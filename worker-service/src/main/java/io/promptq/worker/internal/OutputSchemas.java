package io.promptq.worker.internal;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.registry.SchemaRegistryException;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.RetryJob;
import io.promptq.topic.TopicNames;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the value schemas of the topics the worker writes once, at start-up: the first outcomes, published
 * concurrently by many job threads, then find the ids in the client's cache instead of racing to create the same
 * subject, and a registry that refuses the schemas (incompatible, unreachable) stops the start-up instead of the
 * first jobs. A failed registration is retried a few times (several workers may start together).
 */
final class OutputSchemas {

    private static final Logger log = LoggerFactory.getLogger(OutputSchemas.class);
    private static final int ATTEMPTS = 5;

    private OutputSchemas() {}

    static void register(SchemaRegistryClient registry, TopicNames names, int tiers) {
        Map<String, Schema> subjects = new LinkedHashMap<>();
        subjects.put(AvroSerdes.subjectName(names.results(), false), JobResult.getClassSchema());
        subjects.put(AvroSerdes.subjectName(names.deadLetters(), false), DeadLetter.getClassSchema());
        for (String retry : names.retries(tiers)) {
            subjects.put(AvroSerdes.subjectName(retry, false), RetryJob.getClassSchema());
        }
        subjects.forEach((subject, schema) -> register(registry, subject, schema));
    }

    private static void register(SchemaRegistryClient registry, String subject, Schema schema) {
        for (int attempt = 1; ; attempt++) {
            try {
                registry.register(subject, schema);
                return;
            } catch (SchemaRegistryException e) {
                if (attempt >= ATTEMPTS) {
                    throw e;
                }
                log.info("Registering the schema of {} failed ({}); trying again", subject, e.getMessage());
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
