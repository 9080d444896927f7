package io.promptq.worker;

import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Prompt jobs for tests. */
public final class TestJobs {

    private TestJobs() {}

    public static PromptJob job(String id, Instant submittedAt) {
        return job(id, "test-model", submittedAt, null);
    }

    public static PromptJob job(String id, String model, Instant submittedAt, Instant deadline) {
        return PromptJob.newBuilder()
                .setJobId(id)
                .setTenant("tenant-a")
                .setModel(model)
                .setMessages(List.of(new ChatMessage(Role.SYSTEM, "be brief"), new ChatMessage(Role.USER, "hello " + id)))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.2).setMaxTokens(16)
                        .setTopP(null).setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                .setSubmittedAt(submittedAt)
                .setDeadline(deadline)
                .setIdempotencyKey(null)
                .setPriority(0)
                .setAttributes(Map.of("source", "test"))
                .build();
    }
}
