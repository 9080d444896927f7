package io.promptq.producer.http;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.client.JobRequest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JSON form of a job in the HTTP API, mapped to and from {@link JobRequest}. Only the shape and the
 * types are checked here; the rules (ranges, allow-list, deadline in the future ...) are checked by the
 * one {@link io.promptq.client.JobValidator} when the request is submitted.
 *
 * <pre>{@code
 * {
 *   "tenant": "acme",                      // optional: defaults to the token's tenant (auth on) or "default"
 *   "model": "gpt-4o-mini",                // required
 *   "messages": [{"role": "system", "content": "..."}, {"role": "user", "content": "..."}],   // required
 *   "temperature": 0.7,                    // optional, [0, 2], default 1.0
 *   "maxTokens": 256,                      // optional, [1, cap], default PROMPTQ_PRODUCER_DEFAULT_MAX_TOKENS
 *   "topP": null, "seed": null,            // optional
 *   "stop": ["\n\n"],                      // optional
 *   "deadline": "2026-11-23T18:00:00Z",    // optional, RFC 3339 instant in the future, at most year 9999
 *   "idempotencyKey": "order-42",          // optional: the job id is derived from tenant + key
 *   "priority": 0,                         // optional
 *   "attributes": {"k": "v"},              // optional, string values, carried to the result
 *   "extra": {"presence_penalty": "0.5"},  // optional, provider-specific parameters as strings
 *   "callbackUrl": "https://hooks.example.com/promptq"  // optional, on PROMPTQ_WEBHOOK_ALLOWED_URLS; default: the
 *                                          // tenant's PROMPTQ_WEBHOOK_TENANT_URLS entry or none
 * }
 * }</pre>
 * Roles are {@code system}, {@code user}, {@code assistant}, {@code tool}. JSON {@code null} counts as
 * absent. Unknown fields are refused (a misspelt {@code max_tokens} would otherwise be silently ignored).
 */
public final class JobJson {

    /** Field names of the job object. */
    public static final Set<String> FIELDS = Set.of("tenant", "model", "messages", "temperature", "maxTokens", "topP",
            "seed", "stop", "deadline", "idempotencyKey", "priority", "attributes", "extra", "callbackUrl");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JobJson() {}

    /** A shared, thread-safe mapper for the API's JSON. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Maps one job object to a request.
     *
     * @param defaultTenant the tenant when the object names none (may be null: then the validator reports it)
     * @throws JsonFieldException naming the first field of the wrong type or shape
     */
    public static JobRequest read(@Nullable JsonNode node, @Nullable String defaultTenant) {
        if (node == null || !node.isObject()) {
            throw new JsonFieldException("body", "must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> property : node.properties()) {
            String name = property.getKey();
            if (!FIELDS.contains(name)) {
                throw new JsonFieldException(name, "is not a known field; known: " + FIELDS.stream().sorted().toList());
            }
        }
        JobRequest.Builder b = JobRequest.builder();
        String tenant = text(node, "tenant");
        b.tenant(tenant == null ? defaultTenant : tenant);
        b.model(text(node, "model"));
        JsonNode messages = present(node, "messages");
        if (messages != null) {
            if (!messages.isArray()) {
                throw new JsonFieldException("messages", "must be an array of {\"role\", \"content\"} objects");
            }
            for (int i = 0; i < messages.size(); i++) {
                String path = "messages[" + i + "]";
                JsonNode m = messages.get(i);
                if (!m.isObject()) {
                    throw new JsonFieldException(path, "must be an object with role and content");
                }
                for (Map.Entry<String, JsonNode> property : m.properties()) {
                    String name = property.getKey();
                    if (!name.equals("role") && !name.equals("content")) {
                        throw new JsonFieldException(path + "." + name, "is not a known field; known: [content, role]");
                    }
                }
                b.message(text(m, "role", path + ".role"), text(m, "content", path + ".content"));
            }
        }
        JsonNode temperature = number(node, "temperature");
        if (temperature != null) {
            b.temperature(temperature.doubleValue());
        }
        JsonNode maxTokens = integral(node, "maxTokens", false);
        if (maxTokens != null) {
            b.maxTokens(maxTokens.intValue());
        }
        JsonNode topP = number(node, "topP");
        if (topP != null) {
            b.topP(topP.doubleValue());
        }
        JsonNode seed = integral(node, "seed", true);
        if (seed != null) {
            b.seed(seed.longValue());
        }
        JsonNode stop = present(node, "stop");
        if (stop != null) {
            if (!stop.isArray()) {
                throw new JsonFieldException("stop", "must be an array of strings");
            }
            for (int i = 0; i < stop.size(); i++) {
                if (!stop.get(i).isTextual()) {
                    throw new JsonFieldException("stop[" + i + "]", "must be a string");
                }
                b.stop(stop.get(i).textValue());
            }
        }
        String deadline = text(node, "deadline");
        if (deadline != null) {
            try {
                b.deadline(Instant.parse(deadline));
            } catch (DateTimeParseException e) {
                throw new JsonFieldException("deadline", "must be an RFC 3339 instant such as 2026-11-23T18:00:00Z, but was '"
                        + abbreviate(deadline) + "'");
            }
        }
        b.idempotencyKey(text(node, "idempotencyKey"));
        JsonNode priority = integral(node, "priority", false);
        if (priority != null) {
            b.priority(priority.intValue());
        }
        b.attributes(stringMap(node, "attributes"));
        b.extra(stringMap(node, "extra"));
        b.callbackUrl(text(node, "callbackUrl"));
        return b.build();
    }

    /** The JSON object of {@code request} (absent values left out), as a client of the API would send it. */
    public static ObjectNode write(JobRequest request) {
        ObjectNode node = NODES.objectNode();
        putIfPresent(node, "tenant", request.tenant());
        putIfPresent(node, "model", request.model());
        ArrayNode messages = node.putArray("messages");
        for (JobRequest.Message m : request.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
        if (request.temperature() != null) {
            node.put("temperature", request.temperature());
        }
        if (request.maxTokens() != null) {
            node.put("maxTokens", request.maxTokens());
        }
        if (request.topP() != null) {
            node.put("topP", request.topP());
        }
        if (request.seed() != null) {
            node.put("seed", request.seed());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = node.putArray("stop");
            request.stop().forEach(stop::add);
        }
        if (request.deadline() != null) {
            node.put("deadline", request.deadline().toString());
        }
        putIfPresent(node, "idempotencyKey", request.idempotencyKey());
        if (request.priority() != 0) {
            node.put("priority", request.priority());
        }
        if (!request.attributes().isEmpty()) {
            ObjectNode attributes = node.putObject("attributes");
            request.attributes().forEach(attributes::put);
        }
        if (!request.extra().isEmpty()) {
            ObjectNode extra = node.putObject("extra");
            request.extra().forEach(extra::put);
        }
        putIfPresent(node, "callbackUrl", request.callbackUrl());
        return node;
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private static @Nullable JsonNode present(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static @Nullable String text(JsonNode node, String field) {
        return text(node, field, field);
    }

    private static @Nullable String text(JsonNode node, String field, String path) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw new JsonFieldException(path, "must be a string");
        }
        return value.textValue();
    }

    private static @Nullable JsonNode number(JsonNode node, String field) {
        JsonNode value = present(node, field);
        if (value != null && !value.isNumber()) {
            throw new JsonFieldException(field, "must be a number");
        }
        return value;
    }

    private static @Nullable JsonNode integral(JsonNode node, String field, boolean wide) {
        JsonNode value = present(node, field);
        if (value == null) {
            return null;
        }
        boolean whole = value.isIntegralNumber()
                || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue()));
        if (!whole || !(wide ? value.canConvertToLong() : value.canConvertToInt())) {
            throw new JsonFieldException(field, "must be " + (wide ? "a 64-bit" : "a 32-bit") + " integer, but was "
                    + abbreviate(value.toString()));
        }
        return value;
    }

    private static Map<String, String> stringMap(JsonNode node, String field) {
        JsonNode value = present(node, field);
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null) {
            return map;
        }
        if (!value.isObject()) {
            throw new JsonFieldException(field, "must be an object with string values");
        }
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new JsonFieldException(field + "." + entry.getKey(), "must be a string");
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return map;
    }

    private static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
