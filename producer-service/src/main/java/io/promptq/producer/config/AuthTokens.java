package io.promptq.producer.config;

import io.promptq.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens allowed to submit jobs and the tenant each may submit for, read from
 * {@link ProducerServiceConfig#AUTH_TOKENS} as {@code token1=tenantA,token2=tenantB}. No tokens means
 * authentication is off (the default for local runs).
 *
 * <p>Only SHA-256 digests of the tokens are kept, so a lookup does not compare secrets character by
 * character and neither {@link #toString()} nor a heap dump reveals them.
 */
public final class AuthTokens {

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final AuthTokens NONE = new AuthTokens(Map.of());

    private final Map<String, String> tenantsByDigest;

    private AuthTokens(Map<String, String> tenantsByDigest) {
        this.tenantsByDigest = Map.copyOf(tenantsByDigest);
    }

    /** Authentication off. */
    public static AuthTokens none() {
        return NONE;
    }

    /** Tokens mapped to their tenants. */
    public static AuthTokens of(Map<String, String> tenantsByToken) {
        Map<String, String> digests = new HashMap<>();
        tenantsByToken.forEach((token, tenant) -> {
            if (token == null || token.isBlank()) {
                throw ConfigException.invalid(ProducerServiceConfig.AUTH_TOKENS.name(), "[hidden]", "tokens must not be blank");
            }
            if (tenant == null || !TENANT.matcher(tenant).matches()) {
                throw ConfigException.invalid(ProducerServiceConfig.AUTH_TOKENS.name(), "[hidden]",
                        "tenant '" + tenant + "' must be 1-128 letters, digits, '.', '_' or '-'");
            }
            digests.put(digest(token), tenant);
        });
        return new AuthTokens(digests);
    }

    /**
     * Parses {@code token1=tenantA,token2=tenantB}; blank means none. The message of a parse error never
     * repeats the tokens.
     */
    public static AuthTokens parse(String spec) {
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
                throw ConfigException.invalid(ProducerServiceConfig.AUTH_TOKENS.name(), "[hidden]",
                        "must be a comma-separated list of token=tenant pairs");
            }
            String token = entry.substring(0, eq).trim();
            if (tokens.put(token, entry.substring(eq + 1).trim()) != null) {
                throw ConfigException.invalid(ProducerServiceConfig.AUTH_TOKENS.name(), "[hidden]", "lists a token twice");
            }
        }
        return of(tokens);
    }

    /** Whether requests must carry a bearer token. */
    public boolean enabled() {
        return !tenantsByDigest.isEmpty();
    }

    /** The tenant {@code token} may submit for, if it is known. */
    public Optional<String> tenantOf(String token) {
        return token == null ? Optional.empty() : Optional.ofNullable(tenantsByDigest.get(digest(token)));
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
        return o instanceof AuthTokens other && other.tenantsByDigest.equals(tenantsByDigest);
    }

    @Override
    public int hashCode() {
        return tenantsByDigest.hashCode();
    }

    @Override
    public String toString() {
        return enabled() ? "AuthTokens[" + tenantsByDigest.size() + " token(s)]" : "AuthTokens[off]";
    }
}
