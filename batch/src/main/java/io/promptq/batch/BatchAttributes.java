package io.promptq.batch;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The job attributes that tie a job to the batch line it came from. The producer's batch submitter sets them; jobs
 * carry attributes to their results, where the aggregator reads them back to fill the batch's output.
 */
public final class BatchAttributes {

    /** Attribute: the batch id. */
    public static final String BATCH_ID = "promptq.batch";
    /** Attribute: the line's {@code custom_id}. */
    public static final String CUSTOM_ID = "promptq.batch.custom_id";
    /** Attribute: the line's 1-based number in the input file. */
    public static final String LINE = "promptq.batch.line";

    private BatchAttributes() {}

    /**
     * The idempotency key of a batch line's job: submitting the line again (after a crash of the submitter) is the
     * same job, never a second provider call.
     */
    public static String idempotencyKey(String batchId, int line) {
        return batchId + "/" + line;
    }

    /** The batch id in {@code attributes}, or null for a job that is not part of a batch. */
    public static @Nullable String batchId(Map<String, String> attributes) {
        return attributes.get(BATCH_ID);
    }
}
