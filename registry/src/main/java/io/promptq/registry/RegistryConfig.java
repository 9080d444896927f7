package io.promptq.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How to reach a Confluent-compatible schema registry, immutable and checked on construction.
 *
 * <p>Build it with {@link #of(String)} and {@link #toBuilder()}, or from Kafka-style
 * properties with {@link #fromProperties(Map)}, which reads the keys the Confluent serdes use, so
 * a {@code Serde.configure(Map)} configuration written for Confluent works unchanged.
 *
 * @param urls base URLs of the registry (all serve the same registry); requests fail over from
 *     one to the next
 * @param autoRegister whether serializers register the schema of the records they write; when
 *     false they only look its id up and fail if it is not registered
 * @param basicAuth HTTP basic credentials, if the registry requires them
 * @param truststore certificates to trust for {@code https} URLs (the JDK's default when empty)
 * @param keystore client certificate for mutual TLS
 * @param requestTimeout timeout of one HTTP request, connection included
 * @param maxRetries how many times a request is retried after a transient failure (connection
 *     error, timeout, HTTP 5xx, 408 or 429); never after other 4xx answers
 * @param retryBackoff wait before the first retry; it doubles on every further retry, up to
 *     {@link #MAX_RETRY_BACKOFF}, with jitter
 * @param cacheCapacity maximum number of schemas and ids the client caches in each direction
 */
public record RegistryConfig(
        List<URI> urls,
        boolean autoRegister,
        Optional<Credentials> basicAuth,
        Optional<KeyStoreFile> truststore,
        Optional<KeyStoreFile> keystore,
        Duration requestTimeout,
        int maxRetries,
        Duration retryBackoff,
        int cacheCapacity) {

    public static final boolean DEFAULT_AUTO_REGISTER = true;
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(200);
    /** Upper bound of the exponential retry backoff (unless {@code retryBackoff} itself is larger). */
    public static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(5);
    public static final int DEFAULT_CACHE_CAPACITY = 1000;
    public static final String DEFAULT_KEYSTORE_TYPE = "PKCS12";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC =
            "Comma-separated base URLs of the schema registry, e.g. http://localhost:8081. Required.";

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    public static final String AUTO_REGISTER_SCHEMAS_DOC =
            "Whether serializers register the schema of the records they write (default true).";

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC = "Where basic-auth credentials come from: "
            + "URL (user info of schema.registry.url, the default) or USER_INFO (basic.auth.user.info).";

    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String BASIC_AUTH_USER_INFO_DOC =
            "Basic-auth credentials as user:password, used when basic.auth.credentials.source=USER_INFO.";

    public static final String SSL_TRUSTSTORE_LOCATION_CONFIG = "schema.registry.ssl.truststore.location";
    public static final String SSL_TRUSTSTORE_LOCATION_DOC = "Trust store file for https registry URLs.";
    public static final String SSL_TRUSTSTORE_PASSWORD_CONFIG = "schema.registry.ssl.truststore.password";
    public static final String SSL_TRUSTSTORE_PASSWORD_DOC = "Password of the trust store.";
    public static final String SSL_TRUSTSTORE_TYPE_CONFIG = "schema.registry.ssl.truststore.type";
    public static final String SSL_TRUSTSTORE_TYPE_DOC = "Type of the trust store, PKCS12 (default) or JKS.";

    public static final String SSL_KEYSTORE_LOCATION_CONFIG = "schema.registry.ssl.keystore.location";
    public static final String SSL_KEYSTORE_LOCATION_DOC = "Key store file holding the client certificate (mutual TLS).";
    public static final String SSL_KEYSTORE_PASSWORD_CONFIG = "schema.registry.ssl.keystore.password";
    public static final String SSL_KEYSTORE_PASSWORD_DOC = "Password of the key store and of its key.";
    public static final String SSL_KEYSTORE_TYPE_CONFIG = "schema.registry.ssl.keystore.type";
    public static final String SSL_KEYSTORE_TYPE_DOC = "Type of the key store, PKCS12 (default) or JKS.";

    public static final String REQUEST_TIMEOUT_MS_CONFIG = "http.read.timeout.ms";
    public static final String REQUEST_TIMEOUT_MS_DOC = "Timeout of one registry HTTP request in ms (default 10000).";

    public static final String MAX_RETRIES_CONFIG = "max.retries";
    public static final String MAX_RETRIES_DOC = "Retries of a registry request after a transient failure (default 3).";

    public static final String RETRIES_WAIT_MS_CONFIG = "retries.wait.ms";
    public static final String RETRIES_WAIT_MS_DOC =
            "Wait before the first retry in ms (default 200); doubles on each retry, with jitter.";

    public static final String MAX_SCHEMAS_PER_SUBJECT_CONFIG = "max.schemas.per.subject";
    public static final String MAX_SCHEMAS_PER_SUBJECT_DOC =
            "Maximum number of schemas and ids the client caches in each direction (default 1000).";

    public RegistryConfig {
        Objects.requireNonNull(urls, "urls");
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("urls must not be empty, but was " + urls);
        }
        urls = List.copyOf(urls);
        for (URI url : urls) {
            requireHttpUrl(url);
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("urls must not contain user info (set basicAuth instead), but was "
                        + maskUserInfo(url.toString()));
            }
        }
        Objects.requireNonNull(basicAuth, "basicAuth");
        Objects.requireNonNull(truststore, "truststore");
        Objects.requireNonNull(keystore, "keystore");
        requirePositive("requestTimeout", requestTimeout);
        requireAtLeast("maxRetries", maxRetries, 0);
        requireNotNegative("retryBackoff", retryBackoff);
        requireAtLeast("cacheCapacity", cacheCapacity, 1);
    }

    /** A configuration for the comma-separated {@code urls}, every other value at its default. */
    public static RegistryConfig of(String commaSeparatedUrls) {
        Objects.requireNonNull(commaSeparatedUrls, "commaSeparatedUrls");
        return new RegistryConfig(parseUrls("urls", splitList(commaSeparatedUrls)), DEFAULT_AUTO_REGISTER,
                Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_RETRIES,
                DEFAULT_RETRY_BACKOFF, DEFAULT_CACHE_CAPACITY);
    }

    /**
     * Reads the Confluent serde keys ({@value #SCHEMA_REGISTRY_URL_CONFIG}, {@value
     * #AUTO_REGISTER_SCHEMAS_CONFIG}, {@value #BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG}, {@value
     * #BASIC_AUTH_USER_INFO_CONFIG}, {@code schema.registry.ssl.*}, {@value #REQUEST_TIMEOUT_MS_CONFIG},
     * {@value #MAX_RETRIES_CONFIG}, {@value #RETRIES_WAIT_MS_CONFIG}, {@value
     * #MAX_SCHEMAS_PER_SUBJECT_CONFIG}) and ignores every other key.
     *
     * @throws ConfigException naming the key, if a value is missing or invalid
     */
    public static RegistryConfig fromProperties(Map<String, ?> props) {
        Objects.requireNonNull(props, "props");
        Object rawUrls = props.get(SCHEMA_REGISTRY_URL_CONFIG);
        if (rawUrls == null) {
            throw new ConfigException("Missing required configuration \"" + SCHEMA_REGISTRY_URL_CONFIG
                    + "\" which has no default value. " + SCHEMA_REGISTRY_URL_DOC);
        }
        String shownUrls = maskUserInfo(asList(rawUrls).toString());
        List<URI> urls = parse(SCHEMA_REGISTRY_URL_CONFIG, shownUrls, () -> parseUrls("urls", asList(rawUrls)));

        Object rawSource = props.get(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG);
        String source = rawSource == null ? "URL" : asString(rawSource).trim().toUpperCase(Locale.ROOT);
        Optional<Credentials> basicAuth = switch (source) {
            case "URL" -> credentialsFromUrls(urls);
            case "USER_INFO" -> {
                Object info = props.get(BASIC_AUTH_USER_INFO_CONFIG);
                if (info == null) {
                    throw new ConfigException(BASIC_AUTH_USER_INFO_CONFIG, null,
                            "required when " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=USER_INFO");
                }
                yield Optional.of(parse(BASIC_AUTH_USER_INFO_CONFIG, "[hidden]", () -> Credentials.parse(asString(info))));
            }
            default -> throw new ConfigException(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, rawSource,
                    "must be URL or USER_INFO");
        };
        urls = urls.stream().map(RegistryConfig::withoutUserInfo).toList();

        Optional<KeyStoreFile> truststore = keyStoreFile(props, SSL_TRUSTSTORE_LOCATION_CONFIG,
                SSL_TRUSTSTORE_PASSWORD_CONFIG, SSL_TRUSTSTORE_TYPE_CONFIG);
        Optional<KeyStoreFile> keystore = keyStoreFile(props, SSL_KEYSTORE_LOCATION_CONFIG,
                SSL_KEYSTORE_PASSWORD_CONFIG, SSL_KEYSTORE_TYPE_CONFIG);

        boolean autoRegister = get(props, AUTO_REGISTER_SCHEMAS_CONFIG, DEFAULT_AUTO_REGISTER,
                raw -> parseBoolean(asString(raw)));
        Duration requestTimeout = get(props, REQUEST_TIMEOUT_MS_CONFIG, DEFAULT_REQUEST_TIMEOUT,
                raw -> requirePositive("requestTimeout", Duration.ofMillis(Long.parseLong(asString(raw).trim()))));
        int maxRetries = get(props, MAX_RETRIES_CONFIG, DEFAULT_MAX_RETRIES,
                raw -> requireAtLeast("maxRetries", Integer.parseInt(asString(raw).trim()), 0));
        Duration retryBackoff = get(props, RETRIES_WAIT_MS_CONFIG, DEFAULT_RETRY_BACKOFF,
                raw -> requireNotNegative("retryBackoff", Duration.ofMillis(Long.parseLong(asString(raw).trim()))));
        int cacheCapacity = get(props, MAX_SCHEMAS_PER_SUBJECT_CONFIG, DEFAULT_CACHE_CAPACITY,
                raw -> requireAtLeast("cacheCapacity", Integer.parseInt(asString(raw).trim()), 1));

        return new RegistryConfig(urls, autoRegister, basicAuth, truststore, keystore, requestTimeout, maxRetries,
                retryBackoff, cacheCapacity);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The TLS context for {@code https} URLs built from {@link #truststore()} and {@link
     * #keystore()}, or empty when neither is set (the JDK defaults then apply).
     *
     * @throws ConfigException naming the file, if a store cannot be loaded
     */
    public Optional<SSLContext> sslContext() {
        if (truststore.isEmpty() && keystore.isEmpty()) {
            return Optional.empty();
        }
        KeyManager[] keyManagers = null;
        TrustManager[] trustManagers = null;
        try {
            if (keystore.isPresent()) {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keystore.get().load(), keystore.get().passwordChars());
                keyManagers = kmf.getKeyManagers();
            }
            if (truststore.isPresent()) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(truststore.get().load());
                trustManagers = tmf.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers, trustManagers, null);
            return Optional.of(context);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("Cannot build the TLS context for the schema registry from truststore "
                    + truststore.map(KeyStoreFile::location).orElse(null) + " and keystore "
                    + keystore.map(KeyStoreFile::location).orElse(null) + ": " + e);
        }
    }

    /** HTTP basic credentials; {@link #toString()} hides the password. */
    public record Credentials(String user, String password) {

        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isBlank()) {
                throw new IllegalArgumentException("user must not be blank, but was '" + user + "'");
            }
        }

        /** Parses {@code user:password} (the password may contain ':'). */
        public static Credentials parse(String userInfo) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("user info must have the form user:password, but has no ':'");
            }
            return new Credentials(userInfo.substring(0, colon), userInfo.substring(colon + 1));
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", password=[hidden]]";
        }
    }

    /** A key or trust store file; {@link #toString()} hides the password. */
    public record KeyStoreFile(Path location, Optional<String> password, String type) {

        public KeyStoreFile {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(type, "type");
            if (type.isBlank()) {
                throw new IllegalArgumentException("type must not be blank, but was '" + type + "'");
            }
        }

        /** A PKCS12 store. */
        public static KeyStoreFile pkcs12(Path location, String password) {
            return new KeyStoreFile(location, Optional.ofNullable(password), DEFAULT_KEYSTORE_TYPE);
        }

        char[] passwordChars() {
            return password.map(String::toCharArray).orElse(null);
        }

        KeyStore load() {
            try (InputStream in = Files.newInputStream(location)) {
                KeyStore store = KeyStore.getInstance(type);
                store.load(in, passwordChars());
                return store;
            } catch (IOException | GeneralSecurityException e) {
                throw new ConfigException("Cannot load " + type + " key store " + location + ": " + e);
            }
        }

        @Override
        public String toString() {
            return "KeyStoreFile[location=" + location + ", password=" + password.map(p -> "[hidden]").orElse("none")
                    + ", type=" + type + "]";
        }
    }

    private static Duration requirePositive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, but was " + value);
        }
        return value;
    }

    private static Duration requireNotNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, but was " + value);
        }
        return value;
    }

    private static int requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", but was " + value);
        }
        return value;
    }

    private static void requireHttpUrl(URI url) {
        Objects.requireNonNull(url, "urls must not contain null");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("urls must be absolute http or https URLs with a host, but was "
                    + maskUserInfo(url.toString()));
        }
    }

    private static List<URI> parseUrls(String name, List<String> values) {
        List<URI> urls = new ArrayList<>();
        for (String value : values) {
            try {
                urls.add(new URI(value));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(name + " must be valid URLs, but was '" + value + "' ("
                        + e.getMessage() + ")");
            }
        }
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty, but was " + values);
        }
        urls.forEach(RegistryConfig::requireHttpUrl);
        return urls;
    }

    private static String maskUserInfo(String urls) {
        return urls.replaceAll("//[^/@\\s]*@", "//[hidden]@");
    }

    private static Optional<Credentials> credentialsFromUrls(List<URI> urls) {
        return urls.stream()
                .map(URI::getRawUserInfo)
                .filter(Objects::nonNull)
                .findFirst()
                .map(info -> parse(SCHEMA_REGISTRY_URL_CONFIG, "[hidden]",
                        () -> Credentials.parse(URLDecoder.decode(info, StandardCharsets.UTF_8))));
    }

    private static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) {
            return url;
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), null);
        } catch (URISyntaxException e) {
            throw new ConfigException(SCHEMA_REGISTRY_URL_CONFIG, url.getHost(), e.getMessage());
        }
    }

    private static Optional<KeyStoreFile> keyStoreFile(Map<String, ?> props, String locationKey, String passwordKey,
            String typeKey) {
        Object location = props.get(locationKey);
        if (location == null || asString(location).isBlank()) {
            return Optional.empty();
        }
        Object password = props.get(passwordKey);
        Object type = props.get(typeKey);
        return Optional.of(parse(locationKey, location, () -> new KeyStoreFile(
                Path.of(asString(location).trim()),
                Optional.ofNullable(password).map(RegistryConfig::asString).filter(p -> !p.isEmpty()),
                type == null ? DEFAULT_KEYSTORE_TYPE : asString(type).trim())));
    }

    private static <T> T get(Map<String, ?> props, String key, T defaultValue,
            Function<Object, T> parser) {
        Object raw = props.get(key);
        return raw == null ? defaultValue : parse(key, raw, () -> parser.apply(raw));
    }

    private static <T> T parse(String key, Object shownValue, Supplier<T> parser) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            String reason = e instanceof NumberFormatException ? "must be a number" : e.getMessage();
            throw new ConfigException(key, shownValue, reason);
        }
    }

    private static boolean parseBoolean(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static String asString(Object value) {
        return value instanceof Password password ? password.value() : value.toString();
    }

    private static List<String> asList(Object value) {
        if (value instanceof Collection<?> values) {
            return values.stream().map(RegistryConfig::asString).flatMap(v -> splitList(v).stream()).toList();
        }
        return splitList(asString(value));
    }

    private static List<String> splitList(String value) {
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
    /** Builds a {@link RegistryConfig}; {@link #build()} validates like the constructor. */
    public static final class Builder {
        private List<URI> urls;
        private boolean autoRegister;
        private Optional<Credentials> basicAuth;
        private Optional<KeyStoreFile> truststore;
        private Optional<KeyStoreFile> keystore;
        private Duration requestTimeout;
        private int maxRetries;
        private Duration retryBackoff;
        private int cacheCapacity;

        private Builder(RegistryConfig from) {
            urls = from.urls;
            autoRegister = from.autoRegister;
            basicAuth = from.basicAuth;
            truststore = from.truststore;
            keystore = from.keystore;
            requestTimeout = from.requestTimeout;
            maxRetries = from.maxRetries;
            retryBackoff = from.retryBackoff;
            cacheCapacity = from.cacheCapacity;
        }

        public Builder urls(List<URI> value) {
            urls = value;
            return this;
        }

        public Builder autoRegister(boolean value) {
            autoRegister = value;
            return this;
        }

        /** Authenticate with HTTP basic credentials. */
        public Builder basicAuth(String user, String password) {
            basicAuth = Optional.of(new Credentials(user, password));
            return this;
        }

        public Builder basicAuth(Optional<Credentials> value) {
            basicAuth = value;
            return this;
        }

        public Builder truststore(Optional<KeyStoreFile> value) {
            truststore = value;
            return this;
        }

        public Builder keystore(Optional<KeyStoreFile> value) {
            keystore = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        public Builder retryBackoff(Duration value) {
            retryBackoff = value;
            return this;
        }

        public Builder cacheCapacity(int value) {
            cacheCapacity = value;
            return this;
        }

        public RegistryConfig build() {
            return new RegistryConfig(urls, autoRegister, basicAuth, truststore, keystore, requestTimeout, maxRetries,
                    retryBackoff, cacheCapacity);
        }
    }
}
