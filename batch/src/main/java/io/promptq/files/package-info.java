/**
 * Files of the OpenAI-compatible Files API, stored in Kafka: a file's bytes are chunks on the files topic, its
 * metadata and location a record of the compacted file index. Every producer and aggregator replica reads and writes
 * the same files without a shared disk or another store to run, and a file is as durable as the cluster. Content is
 * streamed in both directions; no file is held whole in memory.
 */
@NullMarked
package io.promptq.files;

import org.jspecify.annotations.NullMarked;
