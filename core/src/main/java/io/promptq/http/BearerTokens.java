package io.promptq.http;

import io.javalin.http.Context;
import io.promptq.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Bearer tokens and the principal each one stands for: a tenant ({@code token1=tenantA,token2=tenantB}, the format of
 * the submission tokens) or, for plain token lists ({@code token1,token2}), the fixed principal {@value #READER}. No
 * tokens means authentication is off. Shared by every service that takes the submission tokens, so one token means
 * the same tenant everywhere.
 *
 * <p>Only SHA-256 digests of the tokens are kept, so a lookup does not compare secrets character by character and
 * neither {@link #toString()} nor a heap dump reveals them; parse errors never repeat a token.
 */
public final class BearerTokens {

    /** The principal of a token from a plain list ({@link #parseList}). */
    public static final String READER = "reader";
    /** The challenge sent with every 401. */
    public static final String CHALLENGE = "Bearer realm=\"promptq\"";

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String BEARER = "bearer ";
    private static final BearerTokens NONE = new BearerTokens(Map.of());

    private final Map<String, String> principalsByDigest;

    private BearerTokens(Map<String, String> principalsByDigest) {
        this.principalsByDigest = Map.copyOf(principalsByDigest);
    }

    /** Authentication off. */
    public static BearerTokens none() {
        return NONE;
    }

    /**
     * Tokens mapped to their tenants.
     *
     * @param key the configuration key named in errors
     */
    public static BearerTokens ofTenants(String key, Map<String, String> tenantsByToken) {
        Map<String, String> digests = new HashMap<>();
        tenantsByToken.forEach((token, tenant) -> {
            if (token == null || token.isBlank()) {
                throw ConfigException.invalid(key, "[hidden]", "tokens must not be blank");
            }
            if (tenant == null || !TENANT.matcher(tenant).matches()) {
                throw ConfigException.invalid(key, "[hidden]",
                        "tenant '" + tenant + "' must be 1-128 letters, digits, '.', '_' or '-'");
            }
            digests.put(digest(token), tenant);
        });
        return new BearerTokens(digests);
    }

    /** Parses {@code token1=tenantA,token2=tenantB} of {@code key}; blank means none. */
    public static BearerTokens parseTenants(String key, String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<String, String> tokens = new HashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw ConfigException.invalid(key, "[hidden]", "must be a comma-separated list of token=tenant pairs");
            }
            String token = entry.substring(0, eq).trim();
            if (tokens.put(token, entry.substring(eq + 1).trim()) != null) {
                throw ConfigException.invalid(key, "[hidden]", "lists a token twice");
            }
        }
        return ofTenants(key, tokens);
    }

    /** Parses a plain {@code token1,token2} list of {@code key}, each token standing for {@link #READER}. */
    public static BearerTokens parseList(String key, String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        Map<String, String> digests = new HashMap<>();
        for (String entry : spec.split(",")) {
            String token = entry.trim();
            if (token.isEmpty()) {
                continue;
            }
            if (token.contains("=")) {
                throw ConfigException.invalid(key, "[hidden]", "must be a comma-separated list of tokens (no '=')");
            }
            if (digests.put(digest(token), READER) != null) {
                throw ConfigException.invalid(key, "[hidden]", "lists a token twice");
            }
        }
        return new BearerTokens(digests);
    }

    /**
     * These tokens and {@code others}' (a token in both keeps this set's principal): e.g. the analysts' read tokens
     * plus the operators', who may read what analysts read.
     */
    public BearerTokens and(BearerTokens others) {
        if (!others.enabled()) {
            return this;
        }
        Map<String, String> merged = new HashMap<>(others.principalsByDigest);
        merged.putAll(principalsByDigest);
        return new BearerTokens(merged);
    }

    /** Whether requests must carry one of these tokens. */
    public boolean enabled() {
        return !principalsByDigest.isEmpty();
    }

    /** How many tokens there are. */
    public int size() {
        return principalsByDigest.size();
    }

    /** The principal (tenant) of {@code token}, if it is one of these. */
    public Optional<String> principalOf(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(principalsByDigest.get(digest(token)));
    }

    /** The token of an {@code Authorization: Bearer <token>} header value; empty if absent or of another scheme. */
    public static Optional<String> bearerToken(String authorization) {
        if (authorization == null || !authorization.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            return Optional.empty();
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }

    /**
     * The principal of the request's bearer token, or empty when these tokens are off.
     *
     * @throws ProblemException 401 (with {@code WWW-Authenticate: Bearer}) when they are on and the request carries
     *     none of them
     */
    public Optional<String> authenticate(Context ctx) {
        if (!enabled()) {
            return Optional.empty();
        }
        String authorization = ctx.header("Authorization");
        Optional<String> principal = bearerToken(authorization).flatMap(this::principalOf);
        if (principal.isEmpty()) {
            ctx.header("WWW-Authenticate", CHALLENGE);
            throw new ProblemException(Problem.of(401, "Unauthorized", authorization == null || authorization.isBlank()
                    ? "missing bearer token: send Authorization: Bearer <token>"
                    : "unknown bearer token, or not the Bearer scheme").with("field", "Authorization"));
        }
        return principal;
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BearerTokens other && other.principalsByDigest.equals(principalsByDigest);
    }

    @Override
    public int hashCode() {
        return principalsByDigest.hashCode();
    }

    @Override
    public String toString() {
        return enabled() ? "BearerTokens[" + principalsByDigest.size() + " token(s)]" : "BearerTokens[off]";
    }
}
