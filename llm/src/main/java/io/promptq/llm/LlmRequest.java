package io.promptq.llm;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

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
 * @param deadline when the job stops being worth answering, or {@code null} for never: a guard that waits (breaker,
 *     rate limit) re-checks it after every wait and never sends the request once it has passed
 */
public record LlmRequest(
        String jobId,
        String model,
        List<Message> messages,
        double temperature,
        int maxTokens,
        Map<String, String> extra,
        Duration timeout,
        @Nullable Instant deadline) {

    public LlmRequest {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(model, "model");
        messages = List.copyOf(messages);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        Objects.requireNonNull(timeout, "timeout");
    }

    /** A request without a deadline. */
    public LlmRequest(String jobId, String model, List<Message> messages, double temperature, int maxTokens,
            Map<String, String> extra, Duration timeout) {
        this(jobId, model, messages, temperature, maxTokens, extra, timeout, null);
    }

    /** This request with {@code newTimeout}. */
    public LlmRequest withTimeout(Duration newTimeout) {
        return new LlmRequest(jobId, model, messages, temperature, maxTokens, extra, newTimeout, deadline);
    }

    /** This request with {@code newDeadline} ({@code null} for none). */
    public LlmRequest withDeadline(@Nullable Instant newDeadline) {
        return new LlmRequest(jobId, model, messages, temperature, maxTokens, extra, timeout, newDeadline);
    }

    /** Whether the deadline is set and {@code now} is at or after it. */
    public boolean expiredAt(Instant now) {
        return deadline != null && !now.isBefore(deadline);
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
