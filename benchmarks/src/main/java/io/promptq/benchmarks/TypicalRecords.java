package io.promptq.benchmarks;

import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.schema.TokenUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A typical prompt job and its result, as the services write them (about 300 B each in the wire format). */
public final class TypicalRecords {

    private TypicalRecords() {}

    public static PromptJob job() {
        Instant submitted = Instant.ofEpochMilli(1_767_225_600_000L);
        return PromptJob.newBuilder()
                .setJobId(UUID.nameUUIDFromBytes("bench-job-1".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString())
                .setTenant("acme")
                .setModel("gpt-4o-mini")
                .setMessages(List.of(
                        new ChatMessage(Role.SYSTEM, "You are a concise assistant. Answer in one paragraph."),
                        new ChatMessage(Role.USER, "Summarize the following support ticket for the on-call engineer: "
                                + "customer reports intermittent 502 errors on checkout since the last deploy.")))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.7).setMaxTokens(256)
                        .setStop(new ArrayList<>()).setExtra(Map.of()).build())
                .setSubmittedAt(submitted)
                .setDeadline(null)
                .setIdempotencyKey("ticket-4711")
                .setPriority(0)
                .setAttributes(Map.of("source", "helpdesk"))
                .build();
    }

    public static JobResult result() {
        PromptJob job = job();
        Instant completed = job.getSubmittedAt().plusMillis(412);
        return JobResult.newBuilder()
                .setJobId(job.getJobId())
                .setTenant(job.getTenant())
                .setModel(job.getModel())
                .setStatus(JobStatus.SUCCEEDED)
                .setOutput("The customer sees intermittent 502s at checkout since the last deploy; suspect the new "
                        + "gateway timeout setting.")
                .setFinishReason("stop")
                .setUsage(new TokenUsage(48L, 31L))
                .setAttempts(1)
                .setAttemptDurationsMs(List.of(397L))
                .setQueueWaitMs(9)
                .setProviderMs(397)
                .setEndToEndMs(412)
                .setSubmittedAt(job.getSubmittedAt())
                .setCompletedAt(completed)
                .setWorkerId("worker-1")
                .setProvider("simulated")
                .setError(null)
                .setAttributes(job.getAttributes())
                .build();
    }
}
