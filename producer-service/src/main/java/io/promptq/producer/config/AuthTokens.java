package io.promptq.producer.config;

import io.promptq.http.BearerTokens;
import java.util.Map;
import java.util.Optional;

/**
 * The bearer tokens allowed to submit jobs and the tenant each may submit for, read from
 * {@link ProducerServiceConfig#AUTH_TOKENS} as {@code token1=tenantA,token2=tenantB}. No tokens means
 * authentication is off (the default for local runs). The same tokens (as {@link BearerTokens}) protect the
 * aggregator's job endpoints.
 *
 * <p>Only SHA-256 digests of the tokens are kept, so a lookup does not compare secrets character by
 * character and neither {@link #toString()} nor a heap dump reveals them.
 */
public final class AuthTokens {

    private static final AuthTokens NONE = new AuthTokens(BearerTokens.none());

    private final BearerTokens tokens;

    private AuthTokens(BearerTokens tokens) {
        this.tokens = tokens;
    }

    /** Authentication off. */
    public static AuthTokens none() {
        return NONE;
    }

    /** Tokens mapped to their tenants. */
    public static AuthTokens of(Map<String, String> tenantsByToken) {
        return new AuthTokens(BearerTokens.ofTenants(ProducerServiceConfig.AUTH_TOKENS.name(), tenantsByToken));
    }

    /**
     * Parses {@code token1=tenantA,token2=tenantB}; blank means none. The message of a parse error never
     * repeats the tokens.
     */
    public static AuthTokens parse(String spec) {
        BearerTokens parsed = BearerTokens.parseTenants(ProducerServiceConfig.AUTH_TOKENS.name(), spec);
        return parsed.enabled() ? new AuthTokens(parsed) : NONE;
    }

    /** Whether requests must carry a bearer token. */
    public boolean enabled() {
        return tokens.enabled();
    }

    /** The tenant {@code token} may submit for, if it is known. */
    public Optional<String> tenantOf(String token) {
        return tokens.principalOf(token);
    }

    /** The same tokens in the shared form. */
    public BearerTokens bearerTokens() {
        return tokens;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthTokens other && other.tokens.equals(tokens);
    }

    @Override
    public int hashCode() {
        return tokens.hashCode();
    }

    @Override
    public String toString() {
        return enabled() ? "AuthTokens[" + tokens.size() + " token(s)]" : "AuthTokens[off]";
    }
}
