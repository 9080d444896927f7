package io.promptq.webhook;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The callback URLs promptq may call. A URL is allowed when it is {@code http} or {@code https}, has a host and no
 * user-info, and matches one prefix of {@link #ALLOWED_URLS} on its normalized scheme, host (lower case), port (the
 * scheme's default when absent) and path, the path matching whole segments ({@code /hooks} allows {@code /hooks}
 * and {@code /hooks/a}, not {@code /hooksx}); query strings are allowed but not compared. An empty allow-list turns
 * webhooks off: every callback is refused. Immutable and thread-safe; {@link #refusal} parses one URL and scans the
 * (short) list, nothing more.
 *
 * <p>{@code allowedUrls}: the allowed prefixes as configured ({@link #ALLOWED_URLS}, default empty: webhooks off)
 * {@code tenantUrls}: each tenant's default callback, used when a job names none ({@link #TENANT_URLS}, default
 *     none); every one must itself be allowed
 */
public final class WebhookTargets {

    /** Env key: comma-separated URL prefixes callbacks must match; empty turns webhooks off. */
    public static final ConfigKey<List<String>> ALLOWED_URLS = ConfigKey.list("PROMPTQ_WEBHOOK_ALLOWED_URLS")
            .and(prefixes -> prefixes.stream().allMatch(p -> Target.parse(p).isRight()),
                    "each must be an http(s) URL with a host and no user-info");
    /** Env key: {@code tenant=url,...}, the callback of a tenant's jobs that name none. */
    public static final ConfigKey<Map<String, String>> TENANT_URLS = ConfigKey
            .of("PROMPTQ_WEBHOOK_TENANT_URLS", WebhookTargets::parseTenantUrls, WebhookTargets::formatTenantUrls)
            .withDefault(Map.of());

    private static final WebhookTargets NONE = new WebhookTargets(List.of(), Map.of());

    private final List<String> allowedUrls;
    private final Map<String, String> tenantUrls;
    private final List<Target> prefixes;

    /**
     * Checked like the keys.
     *
     * @throws ConfigException if a prefix is not an allowed kind of URL or a tenant default is not allowed
     */
    public WebhookTargets(List<String> allowedUrls, Map<String, String> tenantUrls) {
        Objects.requireNonNull(allowedUrls, "allowedUrls");
        Objects.requireNonNull(tenantUrls, "tenantUrls");
        ALLOWED_URLS.check(new ArrayList<>(allowedUrls));
        this.allowedUrls = List.copyOf(allowedUrls);
        this.tenantUrls = Collections.unmodifiableMap(new LinkedHashMap<>(tenantUrls));
        this.prefixes = allowedUrls.stream().map(p -> Objects.requireNonNull(Target.parse(p).target())).toList();
        for (Map.Entry<String, String> e : tenantUrls.entrySet()) {
            String refusal = refusal(prefixes, e.getValue());
            if (refusal != null) {
                throw ConfigException.invalid(TENANT_URLS.name(), formatTenantUrls(tenantUrls),
                        "the default of tenant " + e.getKey() + " " + refusal);
            }
        }
    }

    /** Webhooks off: no allowed URL, no tenant default. */
    public static WebhookTargets none() {
        return NONE;
    }

    /** Reads {@link #ALLOWED_URLS} and {@link #TENANT_URLS}. */
    public static WebhookTargets from(ConfigSource config) {
        return new WebhookTargets(ALLOWED_URLS.read(config), TENANT_URLS.read(config));
    }

    /** The allowed prefixes as configured. */
    public List<String> allowedUrls() {
        return allowedUrls;
    }

    /** Each tenant's default callback. */
    public Map<String, String> tenantUrls() {
        return tenantUrls;
    }

    /** Whether any callback may be called at all. */
    public boolean enabled() {
        return !allowedUrls.isEmpty();
    }

    /** The callback of a job: the one it names, else its tenant's default, else none. */
    public @Nullable String callbackFor(String tenant, @Nullable String requested) {
        return requested != null ? requested : tenantUrls.get(tenant);
    }

    /** Why {@code url} may not be called (completing "callbackUrl ..."), or null when it is allowed. */
    public @Nullable String refusal(@Nullable String url) {
        if (url == null) {
            return "is required";
        }
        return refusal(prefixes, url);
    }

    private static @Nullable String refusal(List<Target> prefixes, String url) {
        if (prefixes.isEmpty()) {
            return "is refused: webhooks are off (" + ALLOWED_URLS.name() + " is empty)";
        }
        Parsed parsed = Target.parse(url);
        if (!parsed.isRight()) {
            return parsed.error();
        }
        for (Target prefix : prefixes) {
            if (prefix.covers(parsed.target())) {
                return null;
            }
        }
        return "is not on the webhook allow-list (" + ALLOWED_URLS.name() + ")";
    }

    private static Map<String, String> parseTenantUrls(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String item : text.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("must be tenant=url pairs separated by commas");
            }
            map.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
        }
        return map;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookTargets other && allowedUrls.equals(other.allowedUrls)
                && tenantUrls.equals(other.tenantUrls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(allowedUrls, tenantUrls);
    }

    @Override
    public String toString() {
        return "WebhookTargets[allowedUrls=" + allowedUrls + ", tenantUrls=" + tenantUrls + "]";
    }

    private static String formatTenantUrls(Map<String, String> map) {
        return map.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** A URL or its refusal. */
    private record Parsed(@Nullable Target target, @Nullable String error) {
        boolean isRight() {
            return target != null;
        }
    }

    /** The compared parts of a URL: scheme and host in lower case, the port made explicit, the normalized path. */
    private record Target(String scheme, String host, int port, String path) {

        static Parsed parse(String url) {
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                return new Parsed(null, "must be a valid URL");
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return new Parsed(null, "must be an http or https URL");
            }
            if (uri.getRawUserInfo() != null) {
                return new Parsed(null, "must not carry user-info");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                return new Parsed(null, "must name a host");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.normalize().getRawPath();
            if (path.contains("..") || path.toLowerCase(Locale.ROOT).contains("%2e") || !path.startsWith("/")) {
                return new Parsed(null, "must not climb out of its path");
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return new Parsed(new Target(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, path), null);
        }

        boolean covers(Target url) {
            if (!scheme.equals(url.scheme) || !host.equals(url.host) || port != url.port) {
                return false;
            }
            return url.path.equals(path) || path.endsWith("/") && url.path.startsWith(path)
                    || url.path.startsWith(path + "/");
        }
    }
}
