package io.promptq.producer.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.promptq.producer.config.ProducerServiceConfig;
import org.jspecify.annotations.Nullable;

/**
 * What the OpenAI-compatible routes ({@code /v1/files}, {@code /v1/batches}) share: the caller's tenant (the token's
 * with authentication on, else {@code PROMPTQ_PRODUCER_DEFAULT_TENANT}, ignoring the {@code Authorization} header
 * every SDK sends) and errors in OpenAI's envelope
 * {@code {"error":{"message","type":"invalid_request_error","param","code"}}}.
 */
public final class OpenAiCompat {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator authenticator;
    private final String defaultTenant;

    public OpenAiCompat(ProducerServiceConfig config) {
        this.authenticator = new Authenticator(config.authTokens());
        this.defaultTenant = config.defaultTenant();
    }

    /** An OpenAI-style error answer: its HTTP status, message, the offending parameter and a code. */
    public static final class Error extends RuntimeException {

        private static final long serialVersionUID = 1L;
        private final int status;
        private final @Nullable String param;
        private final @Nullable String code;

        public Error(int status, String message, @Nullable String param, @Nullable String code) {
            super(message, null, false, false);
            this.status = status;
            this.param = param;
            this.code = code;
        }

        public int status() {
            return status;
        }

        /** Writes the envelope to {@code ctx}. */
        public void respond(Context ctx) {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", getMessage());
            error.put("type", "invalid_request_error");
            put(error, "param", param);
            put(error, "code", code);
            if (status == 401) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"promptq\"");
            } else if (status == 503) {
                ctx.header("Retry-After", "1");
            }
            ctx.status(status).contentType("application/json").result(body.toString());
        }

        private static void put(ObjectNode node, String field, @Nullable String value) {
            if (value == null) {
                node.putNull(field);
            } else {
                node.put(field, value);
            }
        }
    }

    static Error invalid(String message, @Nullable String param) {
        return new Error(400, message, param, null);
    }

    static Error notFound(String message, @Nullable String param) {
        return new Error(404, message, param, null);
    }

    static Error unavailable(String message) {
        return new Error(503, message, null, null);
    }

    /**
     * The caller's tenant.
     *
     * @throws Error 401 when authentication is on and the token is missing or unknown
     */
    public String tenant(Context ctx) {
        try {
            return authenticator.authenticate(ctx.header("Authorization")).orElse(defaultTenant);
        } catch (Rejection rejection) {
            throw new Error(401, rejection.problem().detail(), null, "invalid_api_key");
        }
    }
}
