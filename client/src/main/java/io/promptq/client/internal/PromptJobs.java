package io.promptq.client.internal;

import io.promptq.client.JobRequest;
import io.promptq.client.ValidationRules;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * Maps a validated {@link JobRequest} to the Avro {@link PromptJob} written to Kafka, applying the defaults (the
 * tenant's default callback among them).
 */
public final class PromptJobs {

    private PromptJobs() {}

    /**
     * The record for {@code request}, which must have passed validation.
     *
     * @param submittedAt when promptq accepted it (truncated to milliseconds, the schema's precision)
     */
    public static PromptJob toAvro(JobRequest request, String jobId, Instant submittedAt, ValidationRules rules) {
        List<ChatMessage> messages = new ArrayList<>(request.messages().size());
        for (JobRequest.Message message : request.messages()) {
            messages.add(new ChatMessage(Role.valueOf(message.normalizedRole().toUpperCase(Locale.ROOT)),
                    message.content()));
        }
        GenerationParameters parameters = GenerationParameters.newBuilder()
                .setTemperature(request.temperature() == null ? JobRequest.DEFAULT_TEMPERATURE : request.temperature())
                .setMaxTokens(request.maxTokens() == null ? rules.defaultMaxTokens() : request.maxTokens())
                .setTopP(request.topP())
                .setSeed(request.seed())
                .setStop(new ArrayList<>(request.stop()))
                .setExtra(new LinkedHashMap<>(request.extra()))
                .build();
        return PromptJob.newBuilder()
                .setJobId(jobId)
                .setTenant(request.tenant())
                .setModel(request.model())
                .setMessages(messages)
                .setParameters(parameters)
                .setSubmittedAt(submittedAt.truncatedTo(ChronoUnit.MILLIS))
                .setDeadline(request.deadline() == null ? null : request.deadline().truncatedTo(ChronoUnit.MILLIS))
                .setIdempotencyKey(request.idempotencyKey())
                .setPriority(request.priority())
                .setAttributes(new LinkedHashMap<>(request.attributes()))
                .setCallbackUrl(rules.webhooks().callbackFor(request.tenant(), request.callbackUrl()))
                .build();
    }
}
