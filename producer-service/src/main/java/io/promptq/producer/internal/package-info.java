/**
 * Implementation details of the producer service: cached readiness checks for Kafka and the schema
 * registry, and creation of the jobs topic.
 */
package io.promptq.producer.internal;
