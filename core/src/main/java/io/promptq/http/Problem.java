package io.promptq.http;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem detail. Extension members (for example {@code field}) are written at the top
 * level of the JSON object.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, Map<String, Object> extensions) {

    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem {
        extensions = extensions == null ? Map.of() : Map.copyOf(extensions);
    }

    public static Problem of(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail, Map.of());
    }

    /** A copy with one more extension member. */
    public Problem with(String name, Object value) {
        Map<String, Object> copy = new LinkedHashMap<>(extensions);
        copy.put(name, value);
        return new Problem(type, title, status, detail, copy);
    }

    @JsonAnyGetter
    @Override
    public Map<String, Object> extensions() {
        return extensions;
    }
}
