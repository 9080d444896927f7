package io.promptq.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One chat-completion request.
 *
 * @param jobId the promptq job this call serves (for logs and simulated determinism)
 * @param model model name as the job asked for it (providers may map it)
 * @param messages the conversation, in order
 * @param temperature sampling temperature in [0, 2]
 * @param maxTokens upper bound on generated tokens
 * @param extra provider-specific parameters
 * @param timeout how long the call may take before it counts as a transient TIMEOUT
 */
public record LlmRequest(
        String jobId,
        String model,
        List<Message> messages,
        double temperature,
        int maxTokens,
        Map<String, String> extra,
        Duration timeout) {

    public LlmRequest {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A chat message; {@code role} is lower-case as in the OpenAI API: system, user, assistant, tool. */
    public record Message(String role, String content) {}

    /** Number of characters over all messages (a cheap proxy for prompt tokens). */
    public int promptChars() {
        int n = 0;
        for (Message m : messages) {
            n += m.content().length();
        }
        return n;
    }
}
