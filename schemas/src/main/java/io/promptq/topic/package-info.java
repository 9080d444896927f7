/**
 * Typed, immutable descriptors of every promptq topic (name + key and value serdes), defined once and
 * shared by producers, workers and the aggregator. The Avro record classes they carry are generated
 * from {@code schemas/src/main/avro} into {@code io.promptq.schema}.
 */
@NullMarked
package io.promptq.topic;

import org.jspecify.annotations.NullMarked;
