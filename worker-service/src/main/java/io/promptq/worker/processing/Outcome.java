package io.promptq.worker.processing;

import io.promptq.llm.LlmResponse;
import java.time.Instant;
import java.util.Objects;

/** How one delivery of a job ended. Exactly one outcome per delivery. */
public sealed interface Outcome {

    JobHistory history();

    /** The model answered; terminal. */
    record Succeeded(JobHistory history, LlmResponse response) implements Outcome {
        public Succeeded {
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(response, "response");
        }
    }

    /** A transient failure: the job goes to retry tier {@code tier} and is due at {@code dueAt}. */
    record RetryScheduled(JobHistory history, int tier, Instant dueAt) implements Outcome {
        public RetryScheduled {
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(dueAt, "dueAt");
        }
    }

    /** Given up (permanent failure, attempts spent, or the outcome could not be published); terminal. */
    record DeadLettered(JobHistory history, DeadLetterReason reason) implements Outcome {
        public DeadLettered {
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The job's deadline passed before an attempt could start; terminal, the provider was not called. */
    record Expired(JobHistory history) implements Outcome {
        public Expired {
            Objects.requireNonNull(history, "history");
        }
    }

    /**
     * The job was cancelled by {@code request} (its tenant's): before an attempt started, or with its running
     * provider call aborted; terminal, never retried.
     */
    record Cancelled(JobHistory history, CancelRequest request) implements Outcome {
        public Cancelled {
            Objects.requireNonNull(history, "history");
            Objects.requireNonNull(request, "request");
        }
    }
}
