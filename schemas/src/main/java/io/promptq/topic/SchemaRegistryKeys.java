package io.promptq.topic;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.registry.RegistryConfig;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The environment keys of the schema registry that holds the topics' value schemas, and how a
 * {@link RegistryConfig} is read from them. They are translated into the Confluent serde properties
 * {@link RegistryConfig#fromProperties} reads, so the registry module itself stays free of promptq's
 * environment conventions:
 * <ul>
 *   <li>{@link #URL} – comma-separated registry URLs (default {@value #DEFAULT_URL}).</li>
 *   <li>{@link #AUTO_REGISTER} – register value schemas on first use (default true).</li>
 *   <li>{@link #BASIC_AUTH} – {@code user:password} for HTTP basic auth (optional).</li>
 *   <li>{@code PROMPTQ_SCHEMA_REGISTRY_SSL_<PROPERTY>} – TLS settings passed as
 *       {@code schema.registry.ssl.<property>}, e.g. {@code PROMPTQ_SCHEMA_REGISTRY_SSL_TRUSTSTORE_LOCATION}.</li>
 * </ul>
 */
public final class SchemaRegistryKeys {

    public static final String DEFAULT_URL = "http://localhost:8081";

    /** Env key: comma-separated schema registry URLs (Confluent REST API). */
    public static final ConfigKey<String> URL = ConfigKey.text("PROMPTQ_SCHEMA_REGISTRY_URL", DEFAULT_URL);
    /** Env key: register value schemas on first use; off means they must be registered beforehand. */
    public static final ConfigKey<Boolean> AUTO_REGISTER =
            ConfigKey.bool("PROMPTQ_SCHEMA_REGISTRY_AUTO_REGISTER", RegistryConfig.DEFAULT_AUTO_REGISTER);
    /** Env key: {@code user:password} for the registry's HTTP basic auth. */
    public static final ConfigKey<String> BASIC_AUTH = ConfigKey.text("PROMPTQ_SCHEMA_REGISTRY_BASIC_AUTH").secret();
    /** Env key prefix of TLS settings, passed as {@code schema.registry.ssl.<property>}. */
    public static final String SSL_PREFIX = "PROMPTQ_SCHEMA_REGISTRY_SSL_";

    private SchemaRegistryKeys() {}

    /**
     * Reads the registry connection from {@code config}.
     *
     * @throws org.apache.kafka.common.config.ConfigException naming the Confluent property, if a value is invalid
     */
    public static RegistryConfig from(ConfigSource config) {
        Map<String, Object> props = new HashMap<>();
        props.put(RegistryConfig.SCHEMA_REGISTRY_URL_CONFIG, URL.read(config));
        props.put(RegistryConfig.AUTO_REGISTER_SCHEMAS_CONFIG, String.valueOf(AUTO_REGISTER.read(config)));
        BASIC_AUTH.readOptional(config).ifPresent(userInfo -> {
            props.put(RegistryConfig.BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, "USER_INFO");
            props.put(RegistryConfig.BASIC_AUTH_USER_INFO_CONFIG, userInfo);
        });
        config.withPrefix(SSL_PREFIX).forEach((suffix, value) ->
                props.put("schema.registry.ssl." + suffix.toLowerCase(Locale.ROOT).replace('_', '.'), value));
        return RegistryConfig.fromProperties(props);
    }
}
