package io.promptq.producer.http.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.promptq.producer.config.ProducerServiceConfig;
import org.jspecify.annotations.Nullable;

/**
 * What the OpenAI-compatible routes ({@code /v1/files}, {@code /v1/batches}) share: the caller's tenant (the token's
 * with authentication on, else {@code PROMPTQ_PRODUCER_DEFAULT_TENANT}, ignoring the {@code Authorization} header
 * every SDK sends) and errors in OpenAI's envelope {@code {"error": {"message", "type", "param", "code"}}}, which the
 * official SDKs parse into their exceptions (400 → {@code BadRequestException}, 404 → {@code NotFoundException}, ...).
 */
public final class OpenAiCompat {

    static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator authenticator;
    private final String defaultTenant;

    public OpenAiCompat(ProducerServiceConfig config) {
        this.authenticator = new Authenticator(config.authTokens());
        this.defaultTenant = config.defaultTenant();
    }

    /**
     * The caller's tenant: the bearer token's with authentication on; with it off, the deployment's default tenant
     * (the {@code Authorization} header every SDK sends, a dummy key, is ignored).
     *
     * @throws ApiError 401 when authentication is on and the token is missing or unknown
     */
    public String tenant(Context ctx) {
        try {
            return authenticator.authenticate(ctx.header("Authorization")).orElse(defaultTenant);
        } catch (Rejection rejection) {
            throw new ApiError(401, rejection.problem().detail(), null, "invalid_api_key");
        }
    }

    /** Answers {@code ctx} with {@code error} in OpenAI's envelope. */
    public static void respond(ApiError error, Context ctx) {
        error.respond(ctx);
    }

    /** A refused OpenAI-compatible request: its HTTP status, message, the parameter at fault and a code. */
    public static final class ApiError extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final int status;
        private final @Nullable String param;
        private final @Nullable String code;

        public ApiError(int status, String message, @Nullable String param, @Nullable String code) {
            super(message, null, false, false);
            this.status = status;
            this.param = param;
            this.code = code;
        }

        /** 400: {@code param} is wrong. */
        public static ApiError invalid(@Nullable String param, String message) {
            return new ApiError(400, message, param, null);
        }

        /** 404: nothing of that id for this tenant. */
        public static ApiError notFound(String message) {
            return new ApiError(404, message, null, null);
        }

        /** 404 naming the parameter that named nothing. */
        public static ApiError notFound(@Nullable String param, String message) {
            return new ApiError(404, message, param, null);
        }

        /** 503: a service this request needs is not there; retry. */
        public static ApiError unavailable(String message) {
            return new ApiError(503, message, null, null);
        }

        public int status() {
            return status;
        }

        public @Nullable String param() {
            return param;
        }

        public @Nullable String code() {
            return code;
        }

        /** Writes the envelope to {@code ctx}. */
        public void respond(Context ctx) {
            ObjectNode body = JSON.createObjectNode();
            ObjectNode error = body.putObject("error");
            error.put("message", getMessage());
            error.put("type", "invalid_request_error"); // as OpenAI answers, a bad API key (401) included
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
}
