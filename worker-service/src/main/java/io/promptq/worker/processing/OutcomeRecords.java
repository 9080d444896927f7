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
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps outcomes to the Avro records the worker publishes: a {@link JobResult} for every terminal outcome, a
 * {@link RetryJob} for a scheduled retry, a {@link DeadLetter} for a given-up job or an undecodable record.
 * Pure; every field of the records is filled.
 *
 * <p>Timing fields of a {@link JobResult}: {@code queueWaitMs} runs from submission to the start of the first
 * attempt (for a job that expired before any attempt: to its expiry), {@code providerMs} is the sum of
 * {@code attemptDurationsMs}, {@code endToEndMs} runs from submission to the terminal outcome. Negative
 * spans (clock skew between hosts) are reported as 0.
 *
 * <p>{@code responseBody} carries the provider's raw body ({@link io.promptq.llm.LlmResponse#body()}) only for a
 * succeeded job of an OpenAI-compatible batch (attribute {@value #BATCH_ATTRIBUTE}), whose output file passes it
 * through; other results stay small. A body above {@link #MAX_RESPONSE_BODY_BYTES} is dropped (the batch output then
 * synthesizes the completion from the result's fields), logged once per worker.
 */
public final class OutcomeRecords {

    /**
     * The job attribute naming a job's batch: {@code io.promptq.batch.BatchAttributes.BATCH_ID}, spelled out here
     * because the worker does not depend on the batch module.
     */
    static final String BATCH_ATTRIBUTE = "promptq.batch";
    /**
     * Largest provider body kept on a batch job's result: 256 KiB (UTF-8). The result also carries the output text
     * (part of the body), so a result with a kept body stays well below the producer's default 1 MiB
     * {@code max.request.size}: a paid-for answer is never dead-lettered because its body was too large to publish.
     */
    public static final int MAX_RESPONSE_BODY_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecords.class);

    private final String workerId;
    private final AtomicBoolean oversizeLogged = new AtomicBoolean();

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
                    .setResponseBody(responseBody(job, s.response().body()))
                    .setError(null);
            case Outcome.DeadLettered d -> b.setStatus(JobStatus.DEAD_LETTERED)
                    .setOutput(null).setFinishReason(null).setResponseBody(null)
                    .setError(deadLetterError(d));
            case Outcome.Expired e -> b.setStatus(JobStatus.EXPIRED)
                    .setOutput(null).setFinishReason(null).setResponseBody(null)
                    .setError(expiredError(h));
            case Outcome.Cancelled c -> b.setStatus(JobStatus.CANCELLED)
                    .setOutput(null).setFinishReason(null).setResponseBody(null)
                    .setError(cancelledError(c));
            case Outcome.RetryScheduled r -> throw new IllegalArgumentException(
                    "a scheduled retry is not a terminal outcome: job " + job.getJobId());
        }
        return b.build();
    }

    /** {@code body} if {@code job} is a batch line's and the body is within the bound, else null. */
    private @Nullable String responseBody(PromptJob job, @Nullable String body) {
        if (body == null || job.getAttributes() == null || !job.getAttributes().containsKey(BATCH_ATTRIBUTE)) {
            return null;
        }
        if (utf8Length(body) > MAX_RESPONSE_BODY_BYTES) {
            if (oversizeLogged.compareAndSet(false, true)) {
                LOG.warn("provider body of batch job {} is above {} bytes and is not kept on its result (the batch "
                        + "output synthesizes the completion instead); further ones are dropped without a log",
                        job.getJobId(), MAX_RESPONSE_BODY_BYTES);
            }
            return null;
        }
        return body;
    }

    /** The UTF-8 length of {@code text}, counted without encoding it; a text with more chars than the bound is over it. */
    static long utf8Length(String text) {
        if (text.length() > MAX_RESPONSE_BODY_BYTES) {
            return text.length();
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
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
