package io.promptq.worker.processing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.llm.LlmResponse;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.worker.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutcomeRecordsTest {

    private static final Instant SUBMITTED = Instant.parse("2026-11-23T10:00:00Z");
    private static final PromptJob JOB = TestJobs.job("job-1", SUBMITTED);
    private static final Coordinates ORIGIN = new Coordinates("jobs", 3, 17);
    private static final Coordinates SOURCE = new Coordinates("jobs.retry.2", 1, 5);
    private static final ErrorInfo TIMEOUT = new ErrorInfo("TIMEOUT", "took too long", true, null);

    private final OutcomeRecords records = new OutcomeRecords("worker-7");

    private static JobHistory history(int attempts, List<Long> durations, ErrorInfo lastError, Instant decidedAt) {
        return new JobHistory(JOB, SOURCE, ORIGIN, attempts, durations, 30, 12, SUBMITTED.plusMillis(400),
                lastError == null ? null : SUBMITTED.plusMillis(900), lastError == null ? null : SUBMITTED.plusMillis(2_000),
                lastError, decidedAt, "simulated");
    }

    @Test
    void successResultFillsEveryField() {
        JobHistory h = history(2, List.of(500L, 300L), TIMEOUT, SUBMITTED.plusMillis(3_000));

        JobResult r = records.result(new Outcome.Succeeded(h, new LlmResponse("answer", "stop", 10, 5)));

        assertThat(r.getJobId()).isEqualTo("job-1");
        assertThat(r.getTenant()).isEqualTo("tenant-a");
        assertThat(r.getModel()).isEqualTo("test-model");
        assertThat(r.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(r.getOutput()).isEqualTo("answer");
        assertThat(r.getFinishReason()).isEqualTo("stop");
        assertThat(r.getUsage().getPromptTokens()).isEqualTo(30);
        assertThat(r.getUsage().getCompletionTokens()).isEqualTo(12);
        assertThat(r.getAttempts()).isEqualTo(2);
        assertThat(r.getAttemptDurationsMs()).containsExactly(500L, 300L);
        assertThat(r.getQueueWaitMs()).isEqualTo(400);
        assertThat(r.getProviderMs()).isEqualTo(800);
        assertThat(r.getEndToEndMs()).isEqualTo(3_000);
        assertThat(r.getSubmittedAt()).isEqualTo(SUBMITTED);
        assertThat(r.getCompletedAt()).isEqualTo(SUBMITTED.plusMillis(3_000));
        assertThat(r.getWorkerId()).isEqualTo("worker-7");
        assertThat(r.getProvider()).isEqualTo("simulated");
        assertThat(r.getError()).isNull();
        assertThat(r.getAttributes()).containsEntry("source", "test");
    }

    @Test
    void everyTerminalResultCarriesTheJobsCallbackUrlForTheWebhookDispatcher() {
        PromptJob withCallback = TestJobs.job("job-1", SUBMITTED);
        withCallback.setCallbackUrl("https://hooks.example.com/promptq");
        JobHistory h = new JobHistory(withCallback, SOURCE, ORIGIN, 1, List.of(5L), 30, 12, SUBMITTED.plusMillis(400),
                null, null, null, SUBMITTED.plusMillis(900), "simulated");

        assertThat(records.result(new Outcome.Succeeded(h, new LlmResponse("answer", "stop", 10, 5))).getCallbackUrl())
                .isEqualTo("https://hooks.example.com/promptq");
        assertThat(records.result(new Outcome.DeadLettered(h, DeadLetterReason.MAX_ATTEMPTS)).getCallbackUrl())
                .isEqualTo("https://hooks.example.com/promptq");
        assertThat(records.result(new Outcome.Succeeded(history(1, List.of(5L), null, SUBMITTED.plusMillis(900)),
                new LlmResponse("answer", "stop", 10, 5))).getCallbackUrl()).isNull();
    }

    @Test
    void everyTerminalResultCarriesTheJobsRedriveGeneration() {
        PromptJob redriven = TestJobs.job("job-1", SUBMITTED);
        redriven.setRedrive(2);
        JobHistory h = new JobHistory(redriven, SOURCE, ORIGIN, 1, List.of(5L), 30, 12, SUBMITTED.plusMillis(400),
                null, null, null, SUBMITTED.plusMillis(900), "simulated");

        assertThat(records.result(new Outcome.Succeeded(h, new LlmResponse("answer", "stop", 10, 5))).getRedrive())
                .isEqualTo(2);
        assertThat(records.result(new Outcome.DeadLettered(h, DeadLetterReason.MAX_ATTEMPTS)).getRedrive())
                .isEqualTo(2);
        assertThat(records.result(new Outcome.Succeeded(history(1, List.of(5L), null, SUBMITTED.plusMillis(900)),
                new LlmResponse("answer", "stop", 10, 5))).getRedrive()).isZero();
    }

    @Test
    void onlyABatchJobsResultCarriesTheProvidersBodyAndOnlyWithinTheBound() {
        PromptJob batchJob = TestJobs.job("job-1", SUBMITTED);
        batchJob.setAttributes(Map.of("promptq.batch", "batch_0123"));
        JobHistory batch = new JobHistory(batchJob, SOURCE, ORIGIN, 1, List.of(5L), 30, 12, SUBMITTED.plusMillis(400),
                null, null, null, SUBMITTED.plusMillis(900), "openai");
        JobHistory normal = history(1, List.of(5L), null, SUBMITTED.plusMillis(900));
        String body = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"}";
        String oversize = "\u00e9".repeat(OutcomeRecords.MAX_RESPONSE_BODY_BYTES / 2 + 1);

        assertThat(records.result(new Outcome.Succeeded(batch, new LlmResponse("a", "stop", 1, 1, body)))
                .getResponseBody()).isEqualTo(body);
        assertThat(records.result(new Outcome.Succeeded(normal, new LlmResponse("a", "stop", 1, 1, body)))
                .getResponseBody()).isNull();
        assertThat(records.result(new Outcome.Succeeded(batch, new LlmResponse("a", "stop", 1, 1)))
                .getResponseBody()).isNull();
        assertThat(records.result(new Outcome.Succeeded(batch, new LlmResponse("a", "stop", 1, 1, oversize)))
                .getResponseBody()).as("fewer chars than the bound but more UTF-8 bytes").isNull();
        assertThat(records.result(new Outcome.DeadLettered(batch, DeadLetterReason.MAX_ATTEMPTS)).getResponseBody())
                .isNull();
    }

    @Test
    void utf8LengthCountsMultiByteCharactersAndSurrogatePairs() {
        assertThat(OutcomeRecords.utf8Length("a\u00e9\u20ac\ud83d\ude00")).isEqualTo(1 + 2 + 3 + 4);
    }

    @Test
    void deadLetteredResultCarriesTheLastErrorAndWhy() {
        JobHistory h = history(5, List.of(1L, 2L, 3L, 4L, 5L), TIMEOUT, SUBMITTED.plusSeconds(20));

        JobResult r = records.result(new Outcome.DeadLettered(h, DeadLetterReason.MAX_ATTEMPTS));

        assertThat(r.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(r.getOutput()).isNull();
        assertThat(r.getAttempts()).isEqualTo(5);
        assertThat(r.getError().getType()).isEqualTo("TIMEOUT");
        assertThat(r.getError().getMessage()).isEqualTo("gave up after 5 attempts: took too long");
    }

    @Test
    void expiredResultBeforeAnyAttemptCountsTheWholeWaitAsQueueWait() {
        JobHistory h = new JobHistory(JOB, SOURCE, ORIGIN, 0, List.of(), 0, 0, null, null, null, null,
                SUBMITTED.plusSeconds(9), "simulated");

        JobResult r = records.result(new Outcome.Expired(h));

        assertThat(r.getStatus()).isEqualTo(JobStatus.EXPIRED);
        assertThat(r.getAttempts()).isZero();
        assertThat(r.getQueueWaitMs()).isEqualTo(9_000);
        assertThat(r.getProviderMs()).isZero();
        assertThat(r.getEndToEndMs()).isEqualTo(9_000);
        assertThat(r.getError().getType()).isEqualTo(JobProcessor.EXPIRED);
        assertThat(r.getError().getRetryable()).isFalse();
    }

    @Test
    void scheduledRetryIsNotATerminalResult() {
        JobHistory h = history(1, List.of(5L), TIMEOUT, SUBMITTED.plusSeconds(1));
        assertThatThrownBy(() -> records.result(new Outcome.RetryScheduled(h, 0, SUBMITTED.plusSeconds(2))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryJobCarriesTheHistoryAndOriginalCoordinates() {
        JobHistory h = history(2, List.of(500L, 300L), TIMEOUT, SUBMITTED.plusSeconds(2));

        RetryJob r = records.retryJob(new Outcome.RetryScheduled(h, 1, SUBMITTED.plusSeconds(4)));

        assertThat(r.getJob()).isEqualTo(JOB);
        assertThat(r.getAttempts()).isEqualTo(2);
        assertThat(r.getTier()).isEqualTo(1);
        assertThat(r.getDueAt()).isEqualTo(SUBMITTED.plusSeconds(4));
        assertThat(r.getOriginTopic()).isEqualTo("jobs");
        assertThat(r.getOriginPartition()).isEqualTo(3);
        assertThat(r.getOriginOffset()).isEqualTo(17);
        assertThat(r.getLastError()).isEqualTo(TIMEOUT);
        assertThat(r.getFirstStartedAt()).isEqualTo(SUBMITTED.plusMillis(400));
        assertThat(r.getFirstFailureAt()).isEqualTo(SUBMITTED.plusMillis(900));
        assertThat(r.getAttemptDurationsMs()).containsExactly(500L, 300L);
        assertThat(r.getUsage().getPromptTokens()).isEqualTo(30);
    }

    @Test
    void deadLetterOfAJobNamesSourceOriginAndAttempts() {
        JobHistory h = history(1, List.of(5L), new ErrorInfo("INVALID_REQUEST", "400 bad", false, 400),
                SUBMITTED.plusSeconds(1));

        DeadLetter d = records.deadLetter(new Outcome.DeadLettered(h, DeadLetterReason.PERMANENT_ERROR));

        assertThat(d.getJobId()).isEqualTo("job-1");
        assertThat(d.getJob()).isEqualTo(JOB);
        assertThat(d.getRawValue()).isNull();
        assertThat(d.getErrorType()).isEqualTo("INVALID_REQUEST");
        assertThat(d.getErrorMessage()).isEqualTo("permanent error: 400 bad");
        assertThat(d.getAttempts()).isEqualTo(1);
        assertThat(d.getSourceTopic()).isEqualTo("jobs.retry.2");
        assertThat(d.getSourcePartition()).isEqualTo(1);
        assertThat(d.getSourceOffset()).isEqualTo(5);
        assertThat(d.getOriginTopic()).isEqualTo("jobs");
        assertThat(d.getOriginOffset()).isEqualTo(17);
        assertThat(d.getFirstFailureAt()).isEqualTo(SUBMITTED.plusMillis(900));
        assertThat(d.getLastFailureAt()).isEqualTo(SUBMITTED.plusMillis(2_000));
        assertThat(d.getWorkerId()).isEqualTo("worker-7");
    }

    @Test
    void deadLetterOfAnUndecodableRecordKeepsItsRawBytes() {
        byte[] value = {0, 0, 0, 0, 42, 1, 2};
        DeadLetter d = records.undecodable(new Coordinates("jobs", 0, 9), "k1", "k1".getBytes(StandardCharsets.UTF_8),
                value, "UNKNOWN_SCHEMA_ID", "schema 42 unknown", SUBMITTED);

        assertThat(d.getJob()).isNull();
        assertThat(d.getJobId()).isEqualTo("k1");
        assertThat(d.getRawValue().array()).containsExactly(value);
        assertThat(d.getErrorType()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(d.getAttempts()).isZero();
        assertThat(d.getSourceOffset()).isEqualTo(9);
    }
}
