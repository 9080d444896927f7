package io.promptq.cli.bench.internal;

import io.promptq.client.JobIds;
import io.promptq.client.JobRequest;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The jobs the benchmark submits: a typical short chat prompt (system + user message, about 300 B as a
 * serialized PromptJob), keyed by an idempotency key so that the job id is known before submission.
 */
public final class BenchJobs {

    /** Tenant of every benchmark job. */
    public static final String TENANT = "bench";
    /** Model of every benchmark job (the simulated provider accepts any). */
    public static final String MODEL = "mock-1";
    private static final String SYSTEM = "You are a concise assistant. Answer in one paragraph.";
    private static final String USER = "Summarize the following support ticket for the on-call engineer: customer "
            + "reports intermittent 502 errors on checkout since the last deploy (ticket %s).";

    private BenchJobs() {}

    /** The idempotency key of job {@code index} of {@code phase}. */
    public static String key(String phase, long index) {
        return phase + "-" + index;
    }

    /** The job id promptq derives for that key (without {@code PROMPTQ_JOB_ID_KEY}: the bench's client sets none). */
    public static String jobId(String phase, long index) {
        return JobIds.of(TENANT, key(phase, index));
    }

    public static JobRequest request(String phase, long index) {
        return JobRequest.builder()
                .tenant(TENANT)
                .model(MODEL)
                .system(SYSTEM)
                .user(String.format(USER, index))
                .temperature(0.7)
                .maxTokens(64)
                .idempotencyKey(key(phase, index))
                .attribute("source", "bench")
                .build();
    }

    /** The PromptJob record the client writes for {@link #request} (same fields, for the raw baseline's payload). */
    public static PromptJob record(String phase, long index, Instant submittedAt) {
        return PromptJob.newBuilder()
                .setJobId(jobId(phase, index))
                .setTenant(TENANT)
                .setModel(MODEL)
                .setMessages(List.of(new ChatMessage(Role.SYSTEM, SYSTEM), new ChatMessage(Role.USER, String.format(USER, index))))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.7).setMaxTokens(64)
                        .setStop(new ArrayList<>()).setExtra(Map.of()).build())
                .setSubmittedAt(submittedAt.truncatedTo(ChronoUnit.MILLIS))
                .setDeadline(null)
                .setIdempotencyKey(key(phase, index))
                .setPriority(0)
                .setAttributes(Map.of("source", "bench"))
                .build();
    }
}
