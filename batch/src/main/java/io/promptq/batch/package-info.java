/**
 * The OpenAI-compatible Batch API's shared vocabulary: batch ids, the attributes that tie a job to its batch line,
 * and the limits the producer and the aggregator both apply.
 */
@NullMarked
package io.promptq.batch;

import org.jspecify.annotations.NullMarked;
