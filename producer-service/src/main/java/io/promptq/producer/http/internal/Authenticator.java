package io.promptq.producer.http.internal;

import io.promptq.producer.config.AuthTokens;
import java.util.Locale;
import java.util.Optional;

/**
 * Bearer-token authentication and tenant authorization. With no tokens configured every request is
 * anonymous and may submit for any tenant; otherwise a request needs {@code Authorization: Bearer <token>}
 * (else 401) and may only submit jobs of the token's tenant (else 403).
 */
final class Authenticator {

    private static final String BEARER = "bearer ";

    private final AuthTokens tokens;

    Authenticator(AuthTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * The tenant the request's token belongs to, or empty when authentication is off.
     *
     * @throws Rejection 401 when authentication is on and the token is missing or unknown
     */
    Optional<String> authenticate(String authorization) {
        if (!tokens.enabled()) {
            return Optional.empty();
        }
        if (authorization == null || authorization.isBlank()) {
            throw Rejection.unauthorized("missing bearer token: send Authorization: Bearer <token>");
        }
        if (!authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            throw Rejection.unauthorized("the Authorization header must use the Bearer scheme");
        }
        String token = authorization.substring(BEARER.length()).trim();
        return Optional.of(tokens.tenantOf(token)
                .orElseThrow(() -> Rejection.unauthorized("unknown bearer token")));
    }

    /**
     * Checks that {@code principal} (from {@link #authenticate}) may submit for {@code tenant}.
     *
     * @throws Rejection 403 when the token's tenant is another one
     */
    void authorize(Optional<String> principal, String tenant) {
        if (principal.isPresent() && !principal.get().equals(tenant)) {
            throw Rejection.forbidden("this token may only submit jobs for tenant '" + principal.get()
                    + "', not '" + tenant + "'");
        }
    }
}
