package io.promptq.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptq.client.JobRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps the {@code body} of a batch line, an OpenAI chat-completions request, onto a {@link JobRequest}:
 * {@code model}, {@code messages} (content a string or text parts), {@code max_tokens} /
 * {@code max_completion_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop}; {@code n} must be 1
 * and {@code stream} false; every other field is passed to the provider through {@code extra} as JSON text. Only the
 * shape is checked here; the values are the {@link io.promptq.client.JobValidator}'s.
 */
public final class ChatRequests {

    private static final Set<String> MAPPED = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "temperature", "top_p", "seed", "stop", "n", "stream");

    private ChatRequests() {}

    /** A field of the body has the wrong shape; {@code param} names it ({@code body.messages[0].content}). */
    public static final class InvalidBodyException extends Exception {

        private static final long serialVersionUID = 1L;
        private final String param;

        InvalidBodyException(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }

    /**
     * A builder holding what {@code body} asks for (model, messages, sampling, extra); the caller adds tenant,
     * deadline, idempotency key and attributes.
     *
     * @throws InvalidBodyException when a field has the wrong type or a value promptq cannot honour
     */
    public static JobRequest.Builder toJobRequest(JsonNode body) throws InvalidBodyException {
        JobRequest.Builder b = JobRequest.builder();
        JsonNode model = body.get("model");
        if (model != null && !model.isNull()) {
            b.model(text(model, "body.model"));
        }
        b.messages(messages(body.get("messages")));
        JsonNode maxTokens = body.has("max_completion_tokens") ? body.get("max_completion_tokens")
                : body.get("max_tokens");
        if (maxTokens != null && !maxTokens.isNull()) {
            String param = body.has("max_completion_tokens") ? "body.max_completion_tokens" : "body.max_tokens";
            if (!maxTokens.canConvertToInt() || !maxTokens.isIntegralNumber()) {
                throw new InvalidBodyException(param, param + " must be an integer");
            }
            b.maxTokens(maxTokens.intValue());
        }
        JsonNode temperature = body.get("temperature");
        if (temperature != null && !temperature.isNull()) {
            b.temperature(number(temperature, "body.temperature"));
        }
        JsonNode topP = body.get("top_p");
        if (topP != null && !topP.isNull()) {
            b.topP(number(topP, "body.top_p"));
        }
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull()) {
            if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                throw new InvalidBodyException("body.seed", "body.seed must be an integer");
            }
            b.seed(seed.longValue());
        }
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            if (stop.isTextual()) {
                b.stop(stop.asText());
            } else if (stop.isArray()) {
                for (int i = 0; i < stop.size(); i++) {
                    b.stop(text(stop.get(i), "body.stop[" + i + "]"));
                }
            } else {
                throw new InvalidBodyException("body.stop", "body.stop must be a string or an array of strings");
            }
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.intValue() == 1)) {
            throw new InvalidBodyException("body.n", "body.n must be 1: a batch line is one completion");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !(stream.isBoolean() && !stream.booleanValue())) {
            throw new InvalidBodyException("body.stream", "body.stream must be false in a batch");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!MAPPED.contains(field.getKey())) {
                b.extra(field.getKey(), field.getValue().toString());
            }
        }
        return b;
    }

    private static List<JobRequest.Message> messages(JsonNode messages) throws InvalidBodyException {
        if (messages == null || messages.isNull()) {
            return List.of();
        }
        if (!messages.isArray()) {
            throw new InvalidBodyException("body.messages", "body.messages must be an array");
        }
        List<JobRequest.Message> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            String path = "body.messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw new InvalidBodyException(path, path + " must be an object");
            }
            JsonNode role = message.get("role");
            String roleText = role == null || role.isNull() ? null : text(role, path + ".role");
            out.add(new JobRequest.Message(roleText, content(message.get("content"), path + ".content")));
        }
        return out;
    }

    private static String content(JsonNode content, String path) throws InvalidBodyException {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (!content.isArray()) {
            throw new InvalidBodyException(path, path + " must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject() || !"text".equals(part.path("type").asText(null))) {
                throw new InvalidBodyException(partPath, partPath + " must be a part of type \"text\"");
            }
            text.append(text(part.get("text"), partPath + ".text"));
        }
        return text.toString();
    }

    private static String text(JsonNode node, String path) throws InvalidBodyException {
        if (node == null || !node.isTextual()) {
            throw new InvalidBodyException(path, path + " must be a string");
        }
        return node.asText();
    }

    private static double number(JsonNode node, String path) throws InvalidBodyException {
        if (!node.isNumber()) {
            throw new InvalidBodyException(path, path + " must be a number");
        }
        return node.doubleValue();
    }
}
