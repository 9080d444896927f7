package io.promptq.aggregator.batch.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.batch.BatchAttributes;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lines of a batch's output and error files, OpenAI's shapes, and how they are stored: a kind byte
 * ({@link Kind}) then the JSONL line's UTF-8 bytes (without the newline).
 */
public final class BatchLines {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What a stored line records: its job's terminal status. Only {@link #SUCCEEDED} goes to the output file. */
    public enum Kind {
        SUCCEEDED, DEAD_LETTERED, EXPIRED, CANCELLED;

        public boolean output() {
            return this == SUCCEEDED;
        }

        static Kind of(JobStatus status) {
            return switch (status) {
                case SUCCEEDED -> SUCCEEDED;
                case DEAD_LETTERED -> DEAD_LETTERED;
                case EXPIRED -> EXPIRED;
                case CANCELLED -> CANCELLED;
                case UNKNOWN -> throw new IllegalArgumentException("not a terminal status: " + status);
            };
        }
    }

    private BatchLines() {}

    public static Kind kindOf(byte[] stored) {
        return Kind.values()[stored[0]];
    }

    /** The JSONL line of a stored value, without the newline. */
    public static byte[] lineOf(byte[] stored) {
        return Arrays.copyOfRange(stored, 1, stored.length);
    }

    /** The stored value of {@code result}'s line: kind byte and the line. */
    static byte[] store(JobResult result) {
        Kind kind = Kind.of(result.getStatus());
        byte[] line = render(result).getBytes(StandardCharsets.UTF_8);
        byte[] stored = new byte[line.length + 1];
        stored[0] = (byte) kind.ordinal();
        System.arraycopy(line, 0, stored, 1, line.length);
        return stored;
    }

    /** The output or error file line of {@code result}. */
    public static String render(JobResult result) {
        String compactId = result.getJobId().replace("-", "");
        ObjectNode line = MAPPER.createObjectNode();
        line.put("id", "batch_req_" + compactId);
        line.put("custom_id", result.getAttributes().getOrDefault(BatchAttributes.CUSTOM_ID, ""));
        if (result.getStatus() == JobStatus.SUCCEEDED) {
            ObjectNode response = line.putObject("response");
            response.put("status_code", 200);
            response.put("request_id", result.getJobId());
            response.set("body", body(result, compactId));
            line.putNull("error");
        } else {
            line.putNull("response");
            ObjectNode error = line.putObject("error");
            error.put("code", errorCode(result));
            error.put("message", errorMessage(result));
        }
        try {
            return MAPPER.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the line of job " + result.getJobId(), e);
        }
    }

    private static JsonNode body(JobResult result, String compactId) {
        String provided = result.getResponseBody();
        if (provided != null) {
            try {
                JsonNode parsed = MAPPER.readTree(provided);
                if (parsed != null && parsed.isObject()) {
                    return parsed;
                }
            } catch (JsonProcessingException e) {
                // not JSON: synthesized below
            }
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.put("id", "chatcmpl-" + compactId);
        body.put("object", "chat.completion");
        body.put("created", result.getCompletedAt().getEpochSecond());
        body.put("model", result.getModel());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", result.getOutput());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", result.getFinishReason() == null ? "stop" : result.getFinishReason());
        ObjectNode usage = body.putObject("usage");
        long prompt = result.getUsage().getPromptTokens();
        long completion = result.getUsage().getCompletionTokens();
        usage.put("prompt_tokens", prompt);
        usage.put("completion_tokens", completion);
        usage.put("total_tokens", prompt + completion);
        return body;
    }

    private static String errorCode(JobResult result) {
        return switch (result.getStatus()) {
            case EXPIRED -> "batch_expired";
            case CANCELLED -> "batch_cancelled";
            default -> result.getError() == null ? "failed" : result.getError().getType().toLowerCase(Locale.ROOT);
        };
    }

    private static String errorMessage(JobResult result) {
        if (result.getError() != null) {
            return result.getError().getMessage();
        }
        return switch (result.getStatus()) {
            case EXPIRED -> "the request did not run before the batch's completion window ended";
            case CANCELLED -> "the batch was cancelled before the request ran";
            default -> "the request failed";
        };
    }
}
