package io.promptq.worker.processing;

import io.promptq.schema.DeadLetter;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.schema.TokenUsage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Maps outcomes to the Avro records the worker publishes: a {@link JobResult} for every terminal outcome, a
 * {@link RetryJob} for a scheduled retry, a {@link DeadLetter} for a given-up job or an undecodable record.
 * Pure; every field of the records is filled.
 *
 * <p>Timing fields of a {@link JobResult}: {@code queueWaitMs} runs from submission to the start of the first
 * attempt (for a job that expired before any attempt: to its expiry), {@code providerMs} is the sum of
 * {@code attemptDurationsMs}, {@code endToEndMs} runs from submission to the terminal outcome. Negative
 * spans (clock skew between hosts) are reported as 0.
 */
public final class OutcomeRecords {

    private final String workerId;

    public OutcomeRecords(String workerId) {
        this.workerId = Objects.requireNonNull(workerId, "workerId");
    }

    /** The result of a terminal outcome (succeeded, dead-lettered, expired or cancelled). */
    public JobResult result(Outcome outcome) {
        JobHistory h = outcome.history();
        PromptJob job = h.job();
        Instant completedAt = h.decidedAt();
        Instant submittedAt = job.getSubmittedAt();
        Instant firstStart = h.firstStartedAt() != null ? h.firstStartedAt() : completedAt;
        JobResult.Builder b = JobResult.newBuilder()
                .setJobId(job.getJobId())
                .setTenant(job.getTenant())
                .setModel(job.getModel())
                .setUsage(new TokenUsage(h.promptTokens(), h.completionTokens()))
                .setAttempts(h.attempts())
                .setAttemptDurationsMs(h.attemptDurationsMs())
                .setQueueWaitMs(millisBetween(submittedAt, firstStart))
                .setProviderMs(h.providerMs())
                .setEndToEndMs(millisBetween(submittedAt, completedAt))
                .setSubmittedAt(submittedAt)
                .setCompletedAt(completedAt)
                .setWorkerId(workerId)
                .setProvider(h.provider())
                .setAttributes(job.getAttributes())
                .setCallbackUrl(job.getCallbackUrl())
                .setRedrive(job.getRedrive());
        switch (outcome) {
            case Outcome.Succeeded s -> b.setStatus(JobStatus.SUCCEEDED)
                    .setOutput(s.response().text())
                    .setFinishReason(s.response().finishReason())
                    .setError(null);
            case Outcome.DeadLettered d -> b.setStatus(JobStatus.DEAD_LETTERED)
                    .setOutput(null).setFinishReason(null)
                    .setError(deadLetterError(d));
            case Outcome.Expired e -> b.setStatus(JobStatus.EXPIRED)
                    .setOutput(null).setFinishReason(null)
                    .setError(expiredError(h));
            case Outcome.Cancelled c -> b.setStatus(JobStatus.CANCELLED)
                    .setOutput(null).setFinishReason(null)
                    .setError(cancelledError(c));
            case Outcome.RetryScheduled r -> throw new IllegalArgumentException(
                    "a scheduled retry is not a terminal outcome: job " + job.getJobId());
        }
        return b.build();
    }

    /** The record that carries a scheduled retry and the job's history to its tier. */
    public RetryJob retryJob(Outcome.RetryScheduled retry) {
        JobHistory h = retry.history();
        return RetryJob.newBuilder()
                .setJob(h.job())
                .setAttempts(h.attempts())
                .setTier(retry.tier())
                .setDueAt(retry.dueAt())
                .setOriginTopic(h.origin().topic())
                .setOriginPartition(h.origin().partition())
                .setOriginOffset(h.origin().offset())
                .setLastError(h.lastError())
                .setFirstStartedAt(h.firstStartedAt())
                .setFirstFailureAt(h.firstFailureAt())
                .setAttemptDurationsMs(h.attemptDurationsMs())
                .setUsage(new TokenUsage(h.promptTokens(), h.completionTokens()))
                .build();
    }

    /** The dead letter of a job that is given up. */
    public DeadLetter deadLetter(Outcome.DeadLettered dead) {
        JobHistory h = dead.history();
        ErrorInfo error = deadLetterError(dead);
        Instant last = h.lastFailureAt() != null ? h.lastFailureAt() : h.decidedAt();
        return DeadLetter.newBuilder()
                .setJobId(h.jobId())
                .setJob(h.job())
                .setRawKey(null)
                .setRawValue(null)
                .setErrorType(error.getType())
                .setErrorMessage(error.getMessage())
                .setAttempts(h.attempts())
                .setSourceTopic(h.source().topic())
                .setSourcePartition(h.source().partition())
                .setSourceOffset(h.source().offset())
                .setOriginTopic(h.origin().topic())
                .setOriginPartition(h.origin().partition())
                .setOriginOffset(h.origin().offset())
                .setFirstFailureAt(h.firstFailureAt() != null ? h.firstFailureAt() : last)
                .setLastFailureAt(last)
                .setWorkerId(workerId)
                .build();
    }

    /**
     * The dead letter of a record that could not be decoded, with its raw bytes.
     *
     * @param jobId the record key as text, if it had one
     * @param errorType short reason, e.g. {@code DESERIALIZATION}
     */
    public DeadLetter undecodable(Coordinates source, String jobId, byte[] rawKey, byte[] rawValue, String errorType,
            String errorMessage, Instant at) {
        return DeadLetter.newBuilder()
                .setJobId(jobId)
                .setJob(null)
                .setRawKey(rawKey == null ? null : ByteBuffer.wrap(rawKey))
                .setRawValue(rawValue == null ? null : ByteBuffer.wrap(rawValue))
                .setErrorType(errorType)
                .setErrorMessage(errorMessage)
                .setAttempts(0)
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setOriginTopic(null)
                .setOriginPartition(null)
                .setOriginOffset(null)
                .setFirstFailureAt(at)
                .setLastFailureAt(at)
                .setWorkerId(workerId)
                .build();
    }

    /** The error of a dead-lettered job: the last failure, its message prefixed with why the job was given up. */
    static ErrorInfo deadLetterError(Outcome.DeadLettered dead) {
        JobHistory h = dead.history();
        ErrorInfo last = h.lastError();
        String prefix = switch (dead.reason()) {
            case MAX_ATTEMPTS -> "gave up after " + h.attempts() + " attempts: ";
            case PERMANENT_ERROR -> "permanent error: ";
            case PUBLISH_FAILED -> "outcome could not be published: ";
            case UNDECODABLE -> "undecodable: ";
            case CRASH_LOOP -> "crash loop: ";
            case INTERNAL_ERROR -> "internal error: ";
            case INVALID_JOB -> "invalid job: ";
        };
        if (last == null) {
            return ErrorInfo.newBuilder().setType(dead.reason().name()).setMessage(prefix + "no error recorded")
                    .setRetryable(false).setHttpStatus(null).build();
        }
        return ErrorInfo.newBuilder(last).setMessage(prefix + last.getMessage()).build();
    }

    /** The error of a cancelled job: type {@code CANCELLED}, naming when the request was made and why. */
    private static ErrorInfo cancelledError(Outcome.Cancelled c) {
        String reason = c.request().reason();
        return ErrorInfo.newBuilder()
                .setType(JobStatus.CANCELLED.name())
                .setMessage("cancelled by request of " + c.request().requestedAt()
                        + (reason == null ? "" : ": " + reason) + " after " + c.history().attempts() + " attempts")
                .setRetryable(false)
                .setHttpStatus(null)
                .build();
    }

    private static ErrorInfo expiredError(JobHistory h) {
        return ErrorInfo.newBuilder()
                .setType(JobProcessor.EXPIRED)
                .setMessage("deadline " + h.job().getDeadline() + " passed before attempt " + (h.attempts() + 1))
                .setRetryable(false)
                .setHttpStatus(null)
                .build();
    }

    private static long millisBetween(Instant from, Instant to) {
        return Math.max(0, Duration.between(from, to).toMillis());
    }
}
