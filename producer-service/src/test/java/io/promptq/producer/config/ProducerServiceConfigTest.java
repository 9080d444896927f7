package io.promptq.producer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
import io.promptq.client.ValidationRules;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.http.HttpLimits;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProducerServiceConfigTest {

    private static final String JOB_ID_KEY = "k3y-0123456789abcdef0123456789abcdef";

    @Test
    void defaultsSuitLocalRunsWithAuthOff() {
        ProducerServiceConfig config = ProducerServiceConfig.from(ConfigSource.empty());

        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(config.maxBatch()).isEqualTo(1000);
        assertThat(config.authTokens().enabled()).isFalse();
        assertThat(config.managementPort()).isNull();
        assertThat(config.defaultTenant()).isEqualTo("default");
        assertThat(config.createTopics()).isTrue();
        assertThat(config.topicPartitions()).isEqualTo(6);
        assertThat(config.client().sendTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.client().clientId()).isEqualTo("promptq-producer");
        assertThat(config.client().rules().maxTokensCap()).isEqualTo(32_768);
        assertThat(config.client().rules().modelAllowList()).isEmpty();
        assertThat(config.httpLimits()).isEqualTo(new HttpLimits(10_000, 1024, 1024, Duration.ofSeconds(10)));
    }

    @Test
    void readsEveryKey() {
        ProducerServiceConfig config = ProducerServiceConfig.from(ConfigSource.of(Map.ofEntries(
                Map.entry(ProducerServiceConfig.HTTP_HOST.name(), "0.0.0.0"),
                Map.entry(ProducerServiceConfig.HTTP_PORT.name(), "9090"),
                Map.entry("PROMPTQ_MANAGEMENT_PORT", "9091"),
                Map.entry(ProducerServiceConfig.MAX_BODY_BYTES.name(), "2048"),
                Map.entry(ProducerServiceConfig.MAX_BATCH.name(), "10"),
                Map.entry(ProducerServiceConfig.AUTH_TOKENS.name(), "t1=acme, t2=globex"),
                Map.entry(JobIdKey.KEY.name(), JOB_ID_KEY),
                Map.entry(ProducerServiceConfig.CREATE_TOPICS.name(), "false"),
                Map.entry(ProducerServiceConfig.TOPIC_PARTITIONS.name(), "12"),
                Map.entry(ValidationRules.MAX_TOKENS_CAP.name(), "4096"),
                Map.entry(ValidationRules.MODEL_ALLOWLIST.name(), "gpt-4o-mini,llama-3"),
                Map.entry(ProducerServiceConfig.MAX_CONNECTIONS.name(), "500"),
                Map.entry(ProducerServiceConfig.ACCEPT_QUEUE_SIZE.name(), "4096"),
                Map.entry(ProducerServiceConfig.MIN_REQUEST_DATA_RATE.name(), "0"),
                Map.entry(ProducerServiceConfig.HEADER_TIMEOUT.name(), "3s"),
                Map.entry(ClientConfig.SEND_TIMEOUT.name(), "1500ms"))));

        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.httpPort()).isEqualTo(9090);
        assertThat(config.managementPort()).isEqualTo(9091);
        assertThat(config.maxBodyBytes()).isEqualTo(2048);
        assertThat(config.maxBatch()).isEqualTo(10);
        assertThat(config.authTokens().tenantOf("t2")).contains("globex");
        assertThat(config.authTokens().tenantOf("t3")).isEmpty();
        assertThat(config.createTopics()).isFalse();
        assertThat(config.topicPartitions()).isEqualTo(12);
        assertThat(config.client().rules().maxTokensCap()).isEqualTo(4096);
        assertThat(config.client().rules().modelAllowList()).containsExactly("gpt-4o-mini", "llama-3");
        assertThat(config.client().sendTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.httpLimits()).isEqualTo(new HttpLimits(500, 4096, 0, Duration.ofSeconds(3)));
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource(delimiter = '|', value = {
            "PROMPTQ_HTTP_PORT|70000",
            "PROMPTQ_PRODUCER_MAX_BODY_BYTES|12",
            "PROMPTQ_PRODUCER_MAX_BATCH|0",
            "PROMPTQ_PRODUCER_AUTH_TOKENS|justatoken",
            "PROMPTQ_PRODUCER_AUTH_TOKENS|t1=bad tenant",
            "PROMPTQ_PRODUCER_CREATE_TOPICS|maybe",
            "PROMPTQ_PRODUCER_TOPIC_PARTITIONS|0",
            "PROMPTQ_PRODUCER_SEND_TIMEOUT|forever",
            "PROMPTQ_PRODUCER_MAX_TOKENS_CAP|-1",
            "PROMPTQ_PRODUCER_DEFAULT_TENANT|no spaces",
            "PROMPTQ_PRODUCER_MAX_CONNECTIONS|0",
            "PROMPTQ_PRODUCER_ACCEPT_QUEUE_SIZE|0",
            "PROMPTQ_PRODUCER_ACCEPT_QUEUE_SIZE|70000",
            "PROMPTQ_PRODUCER_MIN_REQUEST_DATA_RATE|-1",
            "PROMPTQ_PRODUCER_HEADER_TIMEOUT|10ms",
            "PROMPTQ_PRODUCER_HEADER_TIMEOUT|1h",
            "PROMPTQ_JOB_ID_KEY|shorter-than-32-characters",
            "PROMPTQ_MANAGEMENT_PORT|70000"})
    void badValueStopsStartUpNamingItsKey(String key, String value) {
        assertThatThrownBy(() -> ProducerServiceConfig.from(ConfigSource.of(Map.of(key, value))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key));
    }

    @Test
    void tokensNeverAppearInToStringOrErrors() {
        ProducerServiceConfig config = ProducerServiceConfig.from(ConfigSource.of(Map.of(
                ProducerServiceConfig.AUTH_TOKENS.name(), "s3cr3t=acme", JobIdKey.KEY.name(), JOB_ID_KEY)));

        assertThat(config.toString()).doesNotContain("s3cr3t").doesNotContain(JOB_ID_KEY).contains("1 token(s)");
        assertThatThrownBy(() -> AuthTokens.parse("s3cr3t"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
    }

    @Test
    void authenticationWithoutAJobIdKeyStopsStartUpNamingTheKey() {
        assertThatThrownBy(() -> ProducerServiceConfig.from(ConfigSource.of(Map.of(
                ProducerServiceConfig.AUTH_TOKENS.name(), "s3cr3t=acme"))))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("PROMPTQ_JOB_ID_KEY"));
    }

    @Test
    void theJobIdKeyReachesTheClientWithoutAuthenticationToo() {
        ProducerServiceConfig config = ProducerServiceConfig.from(ConfigSource.of(Map.of(JobIdKey.KEY.name(), JOB_ID_KEY)));

        assertThat(config.client().jobIdKey()).isEqualTo(JobIdKey.of(JOB_ID_KEY));
    }
}
