package io.promptq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchIllegalArgumentException;

import io.promptq.registry.RegistryConfig.Credentials;
import io.promptq.registry.RegistryConfig.KeyStoreFile;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {

    @Test
    void ofSplitsCommaSeparatedUrlsAndUsesDefaults() {
        RegistryConfig config = RegistryConfig.of("http://a:8081, https://b:8081/apis/ccompat/v7");

        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("https://b:8081/apis/ccompat/v7"));
        assertThat(config.autoRegister()).isTrue();
        assertThat(config.basicAuth()).isEmpty();
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.maxRetries()).isEqualTo(3);
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(200));
        assertThat(config.cacheCapacity()).isEqualTo(1000);
        assertThat(config.sslContext()).isEmpty();
    }

    @Test
    void nonPositiveRequestTimeoutIsRejectedNamingFieldAndValue() {
        RegistryConfig config = RegistryConfig.of("http://a:8081");

        assertThatThrownBy(() -> config.toBuilder().requestTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout must be positive, but was PT0S");
    }

    @Test
    void negativeRetriesAndBackoffAreRejectedNamingFieldAndValue() {
        RegistryConfig config = RegistryConfig.of("http://a:8081");

        assertThatThrownBy(() -> config.toBuilder().maxRetries(-1).retryBackoff(Duration.ofMillis(1)).build())
                .hasMessage("maxRetries must be at least 0, but was -1");
        assertThatThrownBy(() -> config.toBuilder().maxRetries(1).retryBackoff(Duration.ofMillis(-5)).build())
                .hasMessage("retryBackoff must not be negative, but was PT-0.005S");
    }

    @Test
    void zeroCacheCapacityIsRejected() {
        assertThatThrownBy(() -> RegistryConfig.of("http://a:8081").toBuilder().cacheCapacity(0).build())
                .hasMessage("cacheCapacity must be at least 1, but was 0");
    }

    @Test
    void urlsMustBePresentAndHttp() {
        assertThatThrownBy(() -> RegistryConfig.of(" , "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("urls must not be empty");
        assertThatThrownBy(() -> RegistryConfig.of("ftp://a:21"))
                .hasMessage("urls must be absolute http or https URLs with a host, but was ftp://a:21");
        assertThatThrownBy(() -> RegistryConfig.of("localhost:8081"))
                .hasMessageContaining("but was localhost:8081");
    }

    @Test
    void toStringHidesPasswords() {
        RegistryConfig config = RegistryConfig.of("https://a:8081")
                .toBuilder()
                .basicAuth("alice", "s3cret")
                .truststore(Optional.of(KeyStoreFile.pkcs12(Path.of("/t.p12"), "trust-pw")))
                .keystore(Optional.of(KeyStoreFile.pkcs12(Path.of("/k.p12"), "key-pw")))
                .build();

        assertThat(config.toString())
                .contains("alice", "/t.p12", "/k.p12")
                .doesNotContain("s3cret", "trust-pw", "key-pw");
    }

    @Test
    void fromPropertiesReadsConfluentKeys() {
        RegistryConfig config = RegistryConfig.fromProperties(Map.ofEntries(
                Map.entry("schema.registry.url", "http://a:8081,http://b:8081"),
                Map.entry("auto.register.schemas", "false"),
                Map.entry("basic.auth.credentials.source", "USER_INFO"),
                Map.entry("basic.auth.user.info", "alice:pa:ss"),
                Map.entry("schema.registry.ssl.truststore.location", "/etc/trust.jks"),
                Map.entry("schema.registry.ssl.truststore.password", new Password("trust-pw")),
                Map.entry("schema.registry.ssl.truststore.type", "JKS"),
                Map.entry("schema.registry.ssl.keystore.location", "/etc/key.p12"),
                Map.entry("http.read.timeout.ms", 2500),
                Map.entry("max.retries", "5"),
                Map.entry("retries.wait.ms", "50"),
                Map.entry("max.schemas.per.subject", "10"),
                Map.entry("bootstrap.servers", "ignored:9092")));

        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"));
        assertThat(config.autoRegister()).isFalse();
        assertThat(config.basicAuth()).contains(new Credentials("alice", "pa:ss"));
        assertThat(config.truststore()).contains(new KeyStoreFile(Path.of("/etc/trust.jks"), Optional.of("trust-pw"), "JKS"));
        assertThat(config.keystore()).contains(new KeyStoreFile(Path.of("/etc/key.p12"), Optional.empty(), "PKCS12"));
        assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.maxRetries()).isEqualTo(5);
        assertThat(config.retryBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.cacheCapacity()).isEqualTo(10);
    }

    @Test
    void fromPropertiesTakesCredentialsFromTheUrlByDefaultAndStripsThem() {
        RegistryConfig config = RegistryConfig.fromProperties(Map.of("schema.registry.url",
                List.of("https://bob:p%40ss@registry:8081/base")));

        assertThat(config.basicAuth()).contains(new Credentials("bob", "p@ss"));
        assertThat(config.urls()).containsExactly(URI.create("https://registry:8081/base"));
    }

    @Test
    void fromPropertiesWithoutUrlFailsNamingTheKey() {
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("auto.register.schemas", "true")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url");
    }

    @Test
    void fromPropertiesWithBadValuesFailsNamingTheKeyAndValue() {
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "ftp://x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url")
                .hasMessageContaining("ftp://x");
        assertThatThrownBy(() -> props("max.retries", "many"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("max.retries")
                .hasMessageContaining("many");
        assertThatThrownBy(() -> props("http.read.timeout.ms", "0"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.read.timeout.ms")
                .hasMessageContaining("requestTimeout must be positive, but was PT0S");
        assertThatThrownBy(() -> props("auto.register.schemas", "maybe"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.register.schemas");
        assertThatThrownBy(() -> props("basic.auth.credentials.source", "SASL_INHERIT"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.credentials.source");
    }

    @Test
    void propertiesAreCheckedAgainstTheSameBoundsAsTheBuilder() {
        RegistryConfig config = RegistryConfig.of("http://a:8081");

        assertFailsAlike("http.read.timeout.ms", "-1", () -> config.toBuilder().requestTimeout(Duration.ofMillis(-1)).build());
        assertFailsAlike("max.retries", "-1", () -> config.toBuilder().maxRetries(-1).build());
        assertFailsAlike("retries.wait.ms", "-5", () -> config.toBuilder().retryBackoff(Duration.ofMillis(-5)).build());
        assertFailsAlike("max.schemas.per.subject", "0", () -> config.toBuilder().cacheCapacity(0).build());
    }

    @Test
    void propertiesMappedToNullGetTheirDefaults() {
        Map<String, Object> props = new HashMap<>();
        props.put("schema.registry.url", "http://a:8081");
        props.put("auto.register.schemas", null);
        props.put("max.retries", null);
        props.put("schema.registry.ssl.truststore.location", null);

        RegistryConfig config = RegistryConfig.fromProperties(props);

        assertThat(config.autoRegister()).isTrue();
        assertThat(config.maxRetries()).isEqualTo(RegistryConfig.DEFAULT_MAX_RETRIES);
        assertThat(config.truststore()).isEmpty();
    }

    @Test
    void urlListItemsMayThemselvesBeCommaSeparated() {
        RegistryConfig config = RegistryConfig.fromProperties(Map.of("schema.registry.url",
                List.of("http://a:8081, http://b:8081", " ", "http://c:8081")));

        assertThat(config.urls()).containsExactly(URI.create("http://a:8081"), URI.create("http://b:8081"),
                URI.create("http://c:8081"));
    }

    @Test
    void userInfoSourceNeedsWellFormedUserInfoAndNeverEchoesIt() {
        assertThatThrownBy(() -> RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://a:8081",
                "basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "no-colon-secret")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("basic.auth.user.info")
                .hasMessageNotContaining("no-colon-secret");
    }

    @Test
    void sslContextIsBuiltFromATruststoreFile(@TempDir Path dir) throws Exception {
        Path truststore = dir.resolve("trust.p12");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (OutputStream out = Files.newOutputStream(truststore)) {
            store.store(out, "changeit".toCharArray());
        }

        RegistryConfig config = RegistryConfig.of("https://a:8081")
                .toBuilder().truststore(Optional.of(KeyStoreFile.pkcs12(truststore, "changeit"))).keystore(Optional.empty()).build();

        assertThat(config.sslContext()).isPresent();
    }

    @Test
    void missingTruststoreFileFailsNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("missing.p12");
        RegistryConfig config = RegistryConfig.of("https://a:8081")
                .toBuilder().truststore(Optional.of(KeyStoreFile.pkcs12(missing, "changeit"))).keystore(Optional.empty()).build();

        assertThatThrownBy(config::sslContext)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    /** The property fails naming itself and its value, with the message the builder fails with. */
    private static void assertFailsAlike(String key, String value, ThrowingCallable build) {
        String builderMessage = catchIllegalArgumentException(build).getMessage();

        assertThatThrownBy(() -> props(key, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(key)
                .hasMessageContaining(value)
                .hasMessageEndingWith(builderMessage);
    }

    private static RegistryConfig props(String key, String value) {
        return RegistryConfig.fromProperties(Map.of("schema.registry.url", "http://a:8081", key, value));
    }
}
