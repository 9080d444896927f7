package io.promptq.topic;

import io.promptq.config.ConfigSource;
import io.promptq.registry.RegistryConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the schema registry connection from the environment, in Confluent's terms:
 * <ul>
 *   <li>{@value #URL} – comma-separated registry URLs (default {@value #DEFAULT_URL}).</li>
 *   <li>{@value #AUTO_REGISTER} – register value schemas on first use (default true).</li>
 *   <li>{@value #BASIC_AUTH} – {@code user:password} for HTTP basic auth (optional).</li>
 *   <li>{@code PROMPTQ_SCHEMA_REGISTRY_SSL_<PROPERTY>} – TLS settings passed as
 *       {@code schema.registry.ssl.<property>}, e.g. {@code PROMPTQ_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION}.</li>
 * </ul>
 */
public final class RegistrySettings {

    /** Env key: comma-separated schema registry URLs (Confluent REST API). */
    public static final String URL = "PROMPTQ_SCHEMA_REGISTRY_URL";
    /** Env key: register value schemas on first use; off means they must be registered beforehand. */
    public static final String AUTO_REGISTER = "PROMPTQ_SCHEMA_REGISTRY_AUTO_REGISTER";
    /** Env key: {@code user:password} for the registry's HTTP basic auth. */
    public static final String BASIC_AUTH = "PROMPTQ_SCHEMA_REGISTRY_BASIC_AUTH";
    /** Env key prefix of TLS settings, passed as {@code schema.registry.ssl.<property>}. */
    public static final String SSL_PREFIX = "PROMPTQ_SCHEMA_REGISTRY_SSL_";
    public static final String DEFAULT_URL = "http://localhost:8081";

    private RegistrySettings() {}

    public static RegistryConfig from(ConfigSource config) {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", config.string(URL, DEFAULT_URL));
        props.put("auto.register.schemas", String.valueOf(config.bool(AUTO_REGISTER, true)));
        config.optional(BASIC_AUTH).ifPresent(userInfo -> {
            props.put("basic.auth.credentials.source", "USER_INFO");
            props.put("basic.auth.user.info", userInfo);
        });
        config.withPrefix(SSL_PREFIX).forEach((suffix, value) ->
                props.put("schema.registry.ssl." + suffix.toLowerCase(Locale.ROOT).replace('_', '.'), value));
        return RegistryConfig.fromProperties(props);
    }
}
