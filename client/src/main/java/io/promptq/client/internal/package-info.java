/**
 * Implementation of the promptq client: the Kafka-backed {@code PromptqClient}, the mapping of requests
 * to the Avro {@code PromptJob} record and the producer properties that bound every send in time.
 */
@NullMarked
package io.promptq.client.internal;

import org.jspecify.annotations.NullMarked;
