package io.promptq.producer.http.internal;

import io.promptq.client.Violation;
import io.promptq.http.Problem;
import io.promptq.producer.metrics.ProducerMetrics.RejectReason;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request (or one item of a batch) refused with an RFC 9457 problem, the reason counted in the metrics
 * and the response headers it needs ({@code WWW-Authenticate}, {@code Retry-After}). Thrown inside the
 * handlers and answered in one place.
 */
final class Rejection extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;
    private final transient Problem problem;
    private final transient Map<String, String> headers;

    private Rejection(RejectReason reason, Problem problem, Map<String, String> headers) {
        super(problem.detail(), null, false, false);
        this.reason = reason;
        this.problem = problem;
        this.headers = Map.copyOf(headers);
    }

    RejectReason reason() {
        return reason;
    }

    Problem problem() {
        return problem;
    }

    Map<String, String> headers() {
        return headers;
    }

    /** The same rejection, marked as item {@code index} of a batch. */
    Rejection atIndex(int index) {
        return new Rejection(reason, problem.with("index", index), headers);
    }

    static Rejection invalid(List<Violation> violations) {
        Violation first = violations.get(0);
        List<Map<String, String>> all = violations.stream()
                .map(v -> Map.of("field", v.field(), "message", v.message())).toList();
        return new Rejection(RejectReason.INVALID,
                Problem.of(400, "Bad Request", first.field() + " " + first.message())
                        .with("field", first.field()).with("violations", all),
                Map.of());
    }

    static Rejection invalidField(String field, String detail) {
        return invalid(List.of(new Violation(field, detail)));
    }

    static Rejection unauthorized(String detail) {
        return new Rejection(RejectReason.UNAUTHORIZED, Problem.of(401, "Unauthorized", detail).with("field", "Authorization"),
                Map.of("WWW-Authenticate", "Bearer realm=\"promptq\""));
    }

    static Rejection forbidden(String detail) {
        return new Rejection(RejectReason.FORBIDDEN, Problem.of(403, "Forbidden", detail).with("field", "tenant"), Map.of());
    }

    /** 409: the idempotency key names another job; member {@code field} is {@code idempotencyKey}. */
    static Rejection conflict(String detail) {
        return new Rejection(RejectReason.CONFLICT, Problem.of(409, "Conflict", detail).with("field", "idempotencyKey"),
                Map.of());
    }

    /** As {@link #conflict(String)}, with members {@code idempotencyKey} and {@code jobId} (the earlier job). */
    static Rejection conflict(String idempotencyKey, String jobId, String detail) {
        Rejection plain = conflict(detail);
        return new Rejection(RejectReason.CONFLICT, plain.problem.with("idempotencyKey", idempotencyKey)
                .with("jobId", jobId), Map.of());
    }

    static Rejection tooLarge(String field, String detail) {
        return new Rejection(RejectReason.TOO_LARGE, Problem.of(413, "Content Too Large", detail).with("field", field),
                Map.of());
    }

    static Rejection unsupportedMediaType(String detail) {
        return new Rejection(RejectReason.UNSUPPORTED_MEDIA_TYPE, Problem.of(415, "Unsupported Media Type", detail)
                .with("field", "Content-Type"), Map.of());
    }

    /** 415 naming {@code Content-Encoding}, with {@code Accept-Encoding: identity} (RFC 9110, 15.5.16). */
    static Rejection unsupportedEncoding(String detail) {
        return new Rejection(RejectReason.UNSUPPORTED_MEDIA_TYPE, Problem.of(415, "Unsupported Media Type", detail)
                .with("field", "Content-Encoding"), Map.of("Accept-Encoding", "identity"));
    }

    /** 400 naming {@code body}: the upload ended early or its chunked framing was malformed. */
    static Rejection incompleteBody(String detail) {
        return new Rejection(RejectReason.INCOMPLETE_BODY, Problem.of(400, "Bad Request", detail).with("field", "body"),
                Map.of("Connection", "close"));
    }

    /** 408 naming {@code body}: the upload stalled past the idle timeout (or below the minimum data rate). */
    static Rejection bodyTimeout(String detail) {
        return new Rejection(RejectReason.INCOMPLETE_BODY, Problem.of(408, "Request Timeout", detail).with("field", "body"),
                Map.of("Connection", "close"));
    }

    static Rejection unavailable(String detail, long retryAfterSeconds) {
        return new Rejection(RejectReason.UNAVAILABLE, Problem.of(503, "Service Unavailable", detail)
                .with("retryAfterSeconds", retryAfterSeconds),
                Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    /** Problem type of a submission whose record was sent but not confirmed either way. */
    static final String OUTCOME_UNKNOWN_TYPE = "https://promptq.io/problems/outcome-unknown";

    /**
     * 504 with type {@value #OUTCOME_UNKNOWN_TYPE} and member {@code jobId}: the job may have been written; retry with
     * the same idempotency key, which names the same job, so the retry cannot make a second one.
     */
    static Rejection outcomeUnknown(String jobId, String detail, long retryAfterSeconds) {
        Problem base = Problem.of(504, "Gateway Timeout", detail);
        return new Rejection(RejectReason.OUTCOME_UNKNOWN, new Problem(OUTCOME_UNKNOWN_TYPE, base.title(), 504,
                detail + " - retry with the same idempotency key", Map.of()).with("jobId", jobId)
                .with("retryAfterSeconds", retryAfterSeconds), Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }

    static Rejection error(String detail) {
        return new Rejection(RejectReason.ERROR, Problem.of(500, "Internal Server Error", detail), Map.of());
    }

    /** The problem as a JSON-ready map (members in RFC 9457 order, then the extensions). */
    Map<String, Object> problemAsMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("type", problem.type());
        map.put("title", problem.title());
        map.put("status", problem.status());
        map.put("detail", problem.detail());
        map.putAll(problem.extensions());
        return map;
    }

    @Override
    public String toString() {
        return "Rejection[" + Objects.toString(reason) + ": " + problem.detail() + "]";
    }
}
