package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.JobOutput;
import org.jspecify.annotations.Nullable;

/**
 * A job thread's report that the record {@code seq} (at {@code offset}) of {@code state} ended: with its output if
 * the handler finished it, with none if it was abandoned or given up. A finished one then waits in its partition
 * until a commit writes the output with the offsets.
 */
record JobCompletion(PartitionState state, long seq, long offset, @Nullable JobOutput output) {

    boolean finished() {
        return output != null;
    }

    /** The same job with {@code replacement} as its output (a fallback for a refused one). */
    JobCompletion withOutput(JobOutput replacement) {
        return new JobCompletion(state, seq, offset, replacement);
    }

    @Override
    public String toString() {
        return state.topicPartition() + "@" + offset;
    }
}
