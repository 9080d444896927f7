/**
 * The promptq worker: consumes prompt jobs (and their retries) from Kafka as one member of a consumer group,
 * calls the language model with bounded concurrency, and publishes exactly one terminal {@code JobResult} per
 * job (plus retry and dead-letter records), committing offsets only past finished jobs. Start it embedded with
 * {@link io.promptq.worker.WorkerService#start} or as a process with {@link io.promptq.worker.WorkerMain};
 * configure it with {@link io.promptq.worker.WorkerConfig}.
 */
@NullMarked
package io.promptq.worker;

import org.jspecify.annotations.NullMarked;
