package io.promptq.producer.http.internal;

import io.javalin.http.Context;
import io.promptq.producer.config.ProducerServiceConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the OpenAI-compatible routes ({@code /v1/files}, {@code /v1/batches}) share: the caller's tenant, and errors in
 * OpenAI's envelope {@code {"error": {"message", "type", "param", "code"}}}, which the official SDKs parse into their
 * exceptions (400 → {@code BadRequestException}, 404 → {@code NotFoundException}, ...).
 */
public final class OpenAiCompat {

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
            Optional<String> principal = authenticator.authenticate(ctx.header("Authorization"));
            return principal.orElse(defaultTenant);
        } catch (Rejection e) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiError(401, e.problem().detail(), null, "invalid_api_key");
        }
    }

    /** Answers {@code ctx} with {@code error} in OpenAI's envelope. */
    public static void respond(ApiError error, Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", error.getMessage());
        body.put("type", error.status() == 401 ? "authentication_error" : "invalid_request_error");
        body.put("param", error.param());
        body.put("code", error.code());
        ctx.status(error.status()).json(Map.of("error", body));
    }

    /** A refused OpenAI-compatible request: its status, message, the parameter at fault and a code. */
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

        public static ApiError invalid(String param, String message) {
            return new ApiError(400, message, param, null);
        }

        public static ApiError notFound(String message) {
            return new ApiError(404, message, null, null);
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
    }
}
