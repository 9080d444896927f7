/**
 * Implementation details of the producer service: cached readiness checks for Kafka and the schema
 * registry, and creation of the jobs topic.
 */
@NullMarked
package io.promptq.producer.internal;

import org.jspecify.annotations.NullMarked;
