/**
 * The producer service: an HTTP API (JSON in, Avro on Kafka) through which upstream systems publish prompt
 * jobs, embeddable as {@link io.promptq.producer.ProducerService} or run alone by
 * {@link io.promptq.producer.ProducerMain}.
 */
@NullMarked
package io.promptq.producer;

import org.jspecify.annotations.NullMarked;
