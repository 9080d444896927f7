package io.promptq.aggregator.internal;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A result the aggregator counts: the first terminal result of its job, or a later one that takes precedence over
 * the result counted before ({@link FirstResultProcessor#supersedes}), then naming the status it replaces.
 *
 * @param result the job's result
 * @param supersedes the status the job was counted with until now, or {@code null} when counted the first time
 */
public record CountedResult(JobResult result, @Nullable JobStatus supersedes) {

    public CountedResult {
        Objects.requireNonNull(result, "result");
    }
}
