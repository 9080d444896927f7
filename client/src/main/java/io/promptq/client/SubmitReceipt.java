package io.promptq.client;

import java.util.Objects;

/**
 * Proof that a job is in the jobs topic: the broker acknowledged it (acks=all) at this position. The HTTP API
 * answers with the same values ({@code 202}, or {@code 200} for a duplicate).
 *
 * <p>A resubmission of a keyed job (same tenant and idempotency key, same payload) within the idempotency window
 * is not written again: its receipt names the first copy's position and says {@link #duplicate()}.
 *
 * @param jobId the job's id, also the record key
 * @param topic the jobs topic
 * @param partition the partition the (first) record landed in
 * @param offset its offset in that partition
 * @param duplicate whether this submission was answered with an earlier copy of the same keyed job instead of
 *     being written
 */
public record SubmitReceipt(String jobId, String topic, int partition, long offset, boolean duplicate) {

    public SubmitReceipt {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(topic, "topic");
    }

    /** The receipt of a job written by this submission. */
    public SubmitReceipt(String jobId, String topic, int partition, long offset) {
        this(jobId, topic, partition, offset, false);
    }

    /** The same position, answered to a resubmission that was not written. */
    public SubmitReceipt asDuplicate() {
        return duplicate ? this : new SubmitReceipt(jobId, topic, partition, offset, true);
    }
}
