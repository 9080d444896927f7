package io.promptq.client;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.net.URI;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where {@link PromptqClient#status} and {@link PromptqClient#await} ask for a job's state: the producer service's
 * public API ({@code GET /v1/jobs/{id}}), with a bearer token when the producer requires one. Both optional: without
 * a URL those methods fail with a message naming {@link #URL}.
 *
 * @param url the producer's base URL, e.g. {@code http://promptq-producer:8080}; null if not configured
 * @param token the bearer token of the caller's tenant; null to send none
 */
public record StatusApiConfig(@Nullable URI url, @Nullable String token) {

    /** Env key: the producer service's base URL for job status queries. */
    public static final ConfigKey<URI> URL = ConfigKey.of("PROMPTQ_CLIENT_API_URL", StatusApiConfig::httpUrl, URI::toString);
    /** Env key: the bearer token sent with job status queries (a secret; never logged). */
    public static final ConfigKey<String> TOKEN = ConfigKey.text("PROMPTQ_CLIENT_API_TOKEN");

    public StatusApiConfig {
        if (url != null) {
            httpUrl(url.toString());
        }
    }

    /** No status API. */
    public static StatusApiConfig none() {
        return new StatusApiConfig(null, null);
    }

    /** The producer at {@code url}, with {@code token} (or none). */
    public static StatusApiConfig of(URI url, @Nullable String token) {
        return new StatusApiConfig(url, token);
    }

    public static StatusApiConfig from(ConfigSource config) {
        Optional<URI> url = URL.readOptional(config);
        Optional<String> token = TOKEN.readOptional(config);
        return new StatusApiConfig(url.orElse(null), token.orElse(null));
    }

    private static URI httpUrl(String text) {
        URI uri = URI.create(text.trim());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an http(s) URL such as http://promptq-producer:8080");
        }
        return uri;
    }

    @Override
    public String toString() {
        return "StatusApiConfig[url=" + url + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
