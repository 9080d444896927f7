package io.promptq.llm;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds requests for tests. */
public final class TestRequests {

    private TestRequests() {}

    public static LlmRequest request(String jobId, String model, String prompt, Duration timeout) {
        return new LlmRequest(jobId, model, List.of(new LlmRequest.Message("user", prompt)), 0.2, 64, Map.of(), timeout);
    }

    public static LlmRequest request(String jobId, String model) {
        return request(jobId, model, "Say hello", Duration.ofSeconds(5));
    }
}
