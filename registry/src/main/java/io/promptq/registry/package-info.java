/**
 * A small client of the Confluent Schema Registry REST API and Kafka serdes speaking the Confluent
 * wire format (magic byte 0, 4-byte big-endian schema id, Avro binary), so promptq records are
 * readable by every Confluent-ecosystem tool without the {@code io.confluent} artifacts.
 *
 * <p>Callers use {@link io.promptq.registry.SchemaRegistryClient} and {@link io.promptq.registry.AvroSerdes};
 * everything under {@code internal} may change without notice.
 */
@NullMarked
package io.promptq.registry;

import org.jspecify.annotations.NullMarked;
