package io.promptq.client;

import java.util.Objects;

/**
 * Proof that a job was written: the broker acknowledged it (acks=all) at this position. The HTTP API
 * answers {@code 202} with the same four values.
 *
 * @param jobId the job's id, also the record key
 * @param topic the jobs topic
 * @param partition the partition the record landed in
 * @param offset its offset in that partition
 */
public record SubmitReceipt(String jobId, String topic, int partition, long offset) {

    public SubmitReceipt {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(topic, "topic");
    }
}
