package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class JobIdsTest {

    @Test
    void sameTenantAndKeyNameTheSameJob() {
        assertThat(JobIds.of("acme", "order-42")).isEqualTo(JobIds.of("acme", "order-42"));
    }

    @Test
    void derivedIdsAreVersion5IetfUuids() {
        UUID id = JobIds.derive("acme", "order-42");

        assertThat(id.version()).isEqualTo(5);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void tenantsDoNotShareKeys() {
        assertThat(JobIds.derive("acme", "k")).isNotEqualTo(JobIds.derive("globex", "k"));
        assertThat(JobIds.derive("ab", "c")).isNotEqualTo(JobIds.derive("a", "bc"));
    }

    @Test
    void withoutKeyEveryJobGetsAFreshRandomId() {
        String first = JobIds.of("acme", null);

        assertThat(UUID.fromString(first).version()).isEqualTo(4);
        assertThat(JobIds.of("acme", null)).isNotEqualTo(first);
    }

    private static final String SECRET = "0123456789abcdef0123456789abcdef-test-only";

    @Test
    void withASecretKeyedIdsAreHmacSha256AsVersion8Uuids() throws Exception {
        UUID id = JobIds.derive(JobIdKey.of(SECRET), "acme", "order-42");

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal("acme\0order-42".getBytes(StandardCharsets.UTF_8));
        expected[6] = (byte) ((expected[6] & 0x0f) | 0x80);
        expected[8] = (byte) ((expected[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(expected, 0, 16);
        assertThat(id).isEqualTo(new UUID(bits.getLong(), bits.getLong()));
        assertThat(id.version()).isEqualTo(8);
        assertThat(id.variant()).isEqualTo(2);
    }

    @Test
    void theSameSecretNamesTheSameJobAndAnotherSecretAnotherOne() {
        String id = JobIds.of(JobIdKey.of(SECRET), "acme", "order-42");

        assertThat(JobIds.of(JobIdKey.of(SECRET), "acme", "order-42")).isEqualTo(id);
        assertThat(JobIds.of(JobIdKey.of(SECRET + "x"), "acme", "order-42")).isNotEqualTo(id);
        assertThat(id).isNotEqualTo(JobIds.of("acme", "order-42"));
        assertThat(JobIds.derive(JobIdKey.of(SECRET), "acme", "k"))
                .isNotEqualTo(JobIds.derive(JobIdKey.of(SECRET), "globex", "k"));
    }

    @Test
    void aShortSecretIsRefusedNamingTheKeyButNotTheSecret() {
        assertThatThrownBy(() -> JobIdKey.KEY.read(ConfigSource.of(Map.of("PROMPTQ_JOB_ID_KEY", "too-short-secret"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PROMPTQ_JOB_ID_KEY")
                .hasMessageNotContaining("too-short-secret");
    }

    @Test
    void theSecretIsNeverPrinted() {
        JobIdKey key = JobIdKey.KEY.read(ConfigSource.of(Map.of("PROMPTQ_JOB_ID_KEY", SECRET)));

        assertThat(key.present()).isTrue();
        assertThat(key.toString()).doesNotContain(SECRET);
        assertThat(JobIdKey.KEY.format(key)).doesNotContain(SECRET);
        assertThat(JobIdKey.KEY.read(ConfigSource.of(Map.of())).present()).isFalse();
    }
}
