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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.CaseInsensitiveValidString;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.jspecify.annotations.Nullable;

/**
 * How to reach a Confluent-compatible schema registry, immutable and checked on construction.
 *
 * <p>Build it with {@link #of(String)} and {@link #toBuilder()}, or from Kafka-style
 * properties with {@link #fromProperties(Map)}, which reads the keys the Confluent serdes use, so
 * a {@code Serde.configure(Map)} configuration written for Confluent works unchanged. Those keys are
 * declared once, with type, default and documentation, in a Kafka {@link ConfigDef}; each bound is
 * written once, in the check the constructor and that definition share, so a bad value fails with
 * the same message either way (the property form names the property too).
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

    private static final String SOURCE_URL = "URL";
    private static final String SOURCE_USER_INFO = "USER_INFO";

    /** The Confluent serde keys {@link #fromProperties} reads: type, default, check and documentation of each. */
    private static final ConfigDef PROPERTIES = new ConfigDef()
            .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH,
                    SCHEMA_REGISTRY_URL_DOC)
            .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, DEFAULT_AUTO_REGISTER, Importance.MEDIUM,
                    AUTO_REGISTER_SCHEMAS_DOC)
            .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, SOURCE_URL,
                    CaseInsensitiveValidString.in(SOURCE_URL, SOURCE_USER_INFO), Importance.MEDIUM,
                    BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
            .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, BASIC_AUTH_USER_INFO_DOC)
            .define(SSL_TRUSTSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM, SSL_TRUSTSTORE_LOCATION_DOC)
            .define(SSL_TRUSTSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SSL_TRUSTSTORE_PASSWORD_DOC)
            .define(SSL_TRUSTSTORE_TYPE_CONFIG, Type.STRING, DEFAULT_KEYSTORE_TYPE, Importance.LOW,
                    SSL_TRUSTSTORE_TYPE_DOC)
            .define(SSL_KEYSTORE_LOCATION_CONFIG, Type.STRING, null, Importance.MEDIUM, SSL_KEYSTORE_LOCATION_DOC)
            .define(SSL_KEYSTORE_PASSWORD_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, SSL_KEYSTORE_PASSWORD_DOC)
            .define(SSL_KEYSTORE_TYPE_CONFIG, Type.STRING, DEFAULT_KEYSTORE_TYPE, Importance.LOW, SSL_KEYSTORE_TYPE_DOC)
            .define(REQUEST_TIMEOUT_MS_CONFIG, Type.LONG, DEFAULT_REQUEST_TIMEOUT.toMillis(),
                    checkedBy(ms -> checkRequestTimeout(Duration.ofMillis((Long) ms))), Importance.LOW,
                    REQUEST_TIMEOUT_MS_DOC)
            .define(MAX_RETRIES_CONFIG, Type.INT, DEFAULT_MAX_RETRIES,
                    checkedBy(n -> checkMaxRetries((Integer) n)), Importance.LOW, MAX_RETRIES_DOC)
            .define(RETRIES_WAIT_MS_CONFIG, Type.LONG, DEFAULT_RETRY_BACKOFF.toMillis(),
                    checkedBy(ms -> checkRetryBackoff(Duration.ofMillis((Long) ms))), Importance.LOW,
                    RETRIES_WAIT_MS_DOC)
            .define(MAX_SCHEMAS_PER_SUBJECT_CONFIG, Type.INT, DEFAULT_CACHE_CAPACITY,
                    checkedBy(n -> checkCacheCapacity((Integer) n)), Importance.LOW, MAX_SCHEMAS_PER_SUBJECT_DOC);

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
        checkRequestTimeout(Objects.requireNonNull(requestTimeout, "requestTimeout"));
        checkMaxRetries(maxRetries);
        checkRetryBackoff(Objects.requireNonNull(retryBackoff, "retryBackoff"));
        checkCacheCapacity(cacheCapacity);
    }

    /** A configuration for the comma-separated {@code urls}, every other value at its default. */
    public static RegistryConfig of(String commaSeparatedUrls) {
        Objects.requireNonNull(commaSeparatedUrls, "commaSeparatedUrls");
        return new RegistryConfig(parseUrls("urls", urlTexts(List.of(commaSeparatedUrls))), DEFAULT_AUTO_REGISTER,
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
        Map<String, Object> values = PROPERTIES.parse(withoutNullValues(props));

        List<String> urlTexts = urlTexts((List<?>) values.get(SCHEMA_REGISTRY_URL_CONFIG));
        List<URI> urls = translated(SCHEMA_REGISTRY_URL_CONFIG, maskUserInfo(urlTexts.toString()),
                () -> parseUrls("urls", urlTexts));

        String source = ((String) values.get(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG)).toUpperCase(Locale.ROOT);
        Optional<Credentials> basicAuth;
        if (source.equals(SOURCE_USER_INFO)) {
            Password info = (Password) values.get(BASIC_AUTH_USER_INFO_CONFIG);
            if (info == null) {
                throw new ConfigException(BASIC_AUTH_USER_INFO_CONFIG, null,
                        "required when " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=" + SOURCE_USER_INFO);
            }
            basicAuth = Optional.of(translated(BASIC_AUTH_USER_INFO_CONFIG, info, () -> Credentials.parse(info.value())));
        } else {
            basicAuth = credentialsFromUrls(urls);
        }

        return new RegistryConfig(
                urls.stream().map(RegistryConfig::withoutUserInfo).toList(),
                (Boolean) values.get(AUTO_REGISTER_SCHEMAS_CONFIG),
                basicAuth,
                keyStoreFile(values, SSL_TRUSTSTORE_LOCATION_CONFIG, SSL_TRUSTSTORE_PASSWORD_CONFIG,
                        SSL_TRUSTSTORE_TYPE_CONFIG),
                keyStoreFile(values, SSL_KEYSTORE_LOCATION_CONFIG, SSL_KEYSTORE_PASSWORD_CONFIG,
                        SSL_KEYSTORE_TYPE_CONFIG),
                Duration.ofMillis((Long) values.get(REQUEST_TIMEOUT_MS_CONFIG)),
                (Integer) values.get(MAX_RETRIES_CONFIG),
                Duration.ofMillis((Long) values.get(RETRIES_WAIT_MS_CONFIG)),
                (Integer) values.get(MAX_SCHEMAS_PER_SUBJECT_CONFIG));
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
        public static KeyStoreFile pkcs12(Path location, @Nullable String password) {
            return new KeyStoreFile(location, Optional.ofNullable(password), DEFAULT_KEYSTORE_TYPE);
        }

        char @Nullable [] passwordChars() {
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

    // The bounds, each written once: the constructor checks with these, and so do the validators of PROPERTIES.

    private static Duration checkRequestTimeout(Duration value) {
        return check("requestTimeout", value, value.isPositive(), "must be positive");
    }

    private static int checkMaxRetries(int value) {
        return check("maxRetries", value, value >= 0, "must be at least 0");
    }

    private static Duration checkRetryBackoff(Duration value) {
        return check("retryBackoff", value, !value.isNegative(), "must not be negative");
    }

    private static int checkCacheCapacity(int value) {
        return check("cacheCapacity", value, value >= 1, "must be at least 1");
    }

    private static <T> T check(String field, T value, boolean valid, String expectation) {
        if (!valid) {
            throw new IllegalArgumentException(field + " " + expectation + ", but was " + value);
        }
        return value;
    }

    /** A {@link ConfigDef} validator running {@code check}, whose {@link IllegalArgumentException} names the key. */
    private static ConfigDef.Validator checkedBy(Consumer<Object> check) {
        return (key, value) -> translated(key, value, () -> {
            check.accept(value);
            return value;
        });
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
                .map(info -> translated(SCHEMA_REGISTRY_URL_CONFIG, "[hidden]",
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

    private static Optional<KeyStoreFile> keyStoreFile(Map<String, Object> values, String locationKey,
            String passwordKey, String typeKey) {
        String location = (String) values.get(locationKey);
        if (location == null || location.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> password = Optional.ofNullable((Password) values.get(passwordKey))
                .map(Password::value)
                .filter(p -> !p.isEmpty());
        return Optional.of(translated(locationKey, location,
                () -> new KeyStoreFile(Path.of(location), password, (String) values.get(typeKey))));
    }

    /** The entries with a value: a key mapped to null counts as unset, so it gets its default. */
    private static Map<String, Object> withoutNullValues(Map<String, ?> props) {
        Map<String, Object> present = new HashMap<>();
        props.forEach((key, value) -> {
            if (value != null) {
                present.put(key, value);
            }
        });
        return present;
    }

    /** The URLs in {@code items}, each of which may itself be comma-separated; blanks dropped. */
    private static List<String> urlTexts(List<?> items) {
        return items.stream()
                .flatMap(item -> Arrays.stream(item.toString().split(",")))
                .map(String::trim)
                .filter(url -> !url.isEmpty())
                .toList();
    }

    /** Runs {@code parse}, reporting its {@link IllegalArgumentException} as Kafka's, naming {@code key}. */
    private static <T> T translated(String key, @Nullable Object shownValue, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, shownValue, e.getMessage());
        }
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
