package io.promptq.producer.http;

/** A JSON job has a field of the wrong type or shape; {@link #field()} names it as a JSON path. */
public class JsonFieldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String field;
    private final String detail;

    public JsonFieldException(String field, String detail) {
        super(field + " " + detail);
        this.field = field;
        this.detail = detail;
    }

    /** The offending field as a JSON path, e.g. {@code messages[1].role}. */
    public String field() {
        return field;
    }

    /** What is wrong with it, without the field name. */
    public String detail() {
        return detail;
    }
}
