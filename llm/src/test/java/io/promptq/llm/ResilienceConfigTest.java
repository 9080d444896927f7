package io.promptq.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

    private static ResilienceConfig parse(Map<String, String> env) {
        return ResilienceConfig.from(ConfigSource.of(env));
    }

    @Test
    void emptyEnvironmentGivesDocumentedDefaults() {
        ResilienceConfig config = parse(Map.of());

        assertThat(config).isEqualTo(ResilienceConfig.defaults());
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.breakerEnabled()).isTrue();
        assertThat(config.breakerFailureRate()).isEqualTo(50);
        assertThat(config.breakerMinCalls()).isEqualTo(20);
        assertThat(config.breakerWindow()).isEqualTo(50);
        assertThat(config.breakerOpenDuration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.breakerHalfOpenCalls()).isEqualTo(5);
        assertThat(config.rateLimitRps()).isZero();
        assertThat(config.rateLimitTpm()).isZero();
        assertThat(config.maxRetryAfter()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void everyKeyIsParsed() {
        ResilienceConfig config = parse(Map.of(
                ResilienceConfig.CALL_TIMEOUT.name(), "30s",
                ResilienceConfig.BREAKER_ENABLED.name(), "false",
                ResilienceConfig.BREAKER_FAILURE_RATE.name(), "75%",
                ResilienceConfig.BREAKER_MIN_CALLS.name(), "5",
                ResilienceConfig.BREAKER_WINDOW.name(), "10",
                ResilienceConfig.BREAKER_OPEN_DURATION.name(), "500ms",
                ResilienceConfig.BREAKER_HALF_OPEN_CALLS.name(), "2",
                ResilienceConfig.RATE_LIMIT_RPS.name(), "2.5",
                ResilienceConfig.RATE_LIMIT_TPM.name(), "90000",
                ResilienceConfig.MAX_RETRY_AFTER.name(), "2m"));

        assertThat(config).isEqualTo(new ResilienceConfig(Duration.ofSeconds(30), false, 75, 5, 10, Duration.ofMillis(500), 2, 2.5, 90_000,
                Duration.ofMinutes(2), ResilienceConfig.DEFAULT_MAX_MODELS));
    }

    @Test
    void minCallsAboveWindowIsRejectedNamingBothKeys() {
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_MIN_CALLS.name(), "60")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.BREAKER_MIN_CALLS.name())
                .hasMessageContaining(ResilienceConfig.BREAKER_WINDOW.name());
    }

    @Test
    void outOfRangeValuesAreRejectedNamingTheKeyAndValue() {
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_FAILURE_RATE.name(), "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_FAILURE_RATE.name()).hasMessageContaining("'0'");
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_FAILURE_RATE.name(), "150%")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_FAILURE_RATE.name()).hasMessageContaining("150%");
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.RATE_LIMIT_RPS.name(), "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.RATE_LIMIT_RPS.name());
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.RATE_LIMIT_TPM.name(), "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.RATE_LIMIT_TPM.name());
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.CALL_TIMEOUT.name(), "0ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.CALL_TIMEOUT.name());
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_HALF_OPEN_CALLS.name(), "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_HALF_OPEN_CALLS.name());
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_ENABLED.name(), "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_ENABLED.name());
    }

    @Test
    void programmaticConstructionIsValidatedToo() {
        assertThatThrownBy(() -> ResilienceConfig.builder().breakerFailureRate(50).breakerMinCalls(10).breakerWindow(5)
                        .breakerOpenDuration(Duration.ofSeconds(1)).breakerHalfOpenCalls(1).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.BREAKER_MIN_CALLS.name());
        assertThatThrownBy(() -> ResilienceConfig.builder().rateLimitRps(-1).rateLimitTpm(0).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.RATE_LIMIT_RPS.name());
    }
}
