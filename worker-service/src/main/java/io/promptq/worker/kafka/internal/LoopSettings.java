package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the poll loop needs to know.
 *
 * @param jobsTopic the jobs topic
 * @param retryTopics the retry tier topics, tier 0 first
 * @param partitionConcurrency K: jobs of one partition in flight at most
 * @param maxInFlight jobs of the whole worker in flight at most
 * @param bufferPerPartition fetched records held per partition at most
 * @param maxUncommitted records per partition fetched but not committable at most (finished ones behind an
 *     unfinished one included)
 * @param pollTimeout longest poll when nothing else is due
 * @param commitInterval how often finished jobs' outputs and offsets are committed
 * @param transactions whether outputs and offsets are committed in one Kafka transaction (else outputs first,
 *     then offsets: at least once)
 * @param offsetMetadataMaxChars longest commit metadata (records finished above the position, start counts); 0: none
 * @param revokeTimeout how long a revocation waits for the partition's running jobs
 * @param shutdownGrace how long a graceful stop waits for running jobs
 * @param closeTimeout how long closing the consumer may take (leaving the group)
 */
public record LoopSettings(
        String jobsTopic,
        List<String> retryTopics,
        int partitionConcurrency,
        int maxInFlight,
        int bufferPerPartition,
        int maxUncommitted,
        Duration pollTimeout,
        Duration commitInterval,
        boolean transactions,
        int offsetMetadataMaxChars,
        Duration revokeTimeout,
        Duration shutdownGrace,
        Duration closeTimeout) {

    public LoopSettings {
        Objects.requireNonNull(jobsTopic, "jobsTopic");
        retryTopics = List.copyOf(retryTopics);
        Objects.requireNonNull(pollTimeout, "pollTimeout");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(revokeTimeout, "revokeTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (offsetMetadataMaxChars < 0) {
            throw new IllegalArgumentException("offsetMetadataMaxChars must not be negative: " + offsetMetadataMaxChars);
        }
        if (partitionConcurrency < 1 || maxInFlight < 1 || bufferPerPartition < 1 || maxUncommitted < 1) {
            throw new IllegalArgumentException("limits must be positive: " + partitionConcurrency + ", " + maxInFlight
                    + ", " + bufferPerPartition + ", " + maxUncommitted);
        }
    }
}
