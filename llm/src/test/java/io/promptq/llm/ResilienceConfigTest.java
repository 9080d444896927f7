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
    }

    @Test
    void everyKeyIsParsed() {
        ResilienceConfig config = parse(Map.of(
                ResilienceConfig.CALL_TIMEOUT, "30s",
                ResilienceConfig.BREAKER_ENABLED, "false",
                ResilienceConfig.BREAKER_FAILURE_RATE, "75%",
                ResilienceConfig.BREAKER_MIN_CALLS, "5",
                ResilienceConfig.BREAKER_WINDOW, "10",
                ResilienceConfig.BREAKER_OPEN_DURATION, "500ms",
                ResilienceConfig.BREAKER_HALF_OPEN_CALLS, "2",
                ResilienceConfig.RATE_LIMIT_RPS, "2.5",
                ResilienceConfig.RATE_LIMIT_TPM, "90000"));

        assertThat(config).isEqualTo(new ResilienceConfig(Duration.ofSeconds(30), false, 75, 5, 10, Duration.ofMillis(500), 2, 2.5, 90_000));
    }

    @Test
    void minCallsAboveWindowIsRejectedNamingBothKeys() {
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_MIN_CALLS, "60")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.BREAKER_MIN_CALLS)
                .hasMessageContaining(ResilienceConfig.BREAKER_WINDOW);
    }

    @Test
    void outOfRangeValuesAreRejectedNamingTheKeyAndValue() {
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_FAILURE_RATE, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_FAILURE_RATE).hasMessageContaining("'0'");
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_FAILURE_RATE, "150%")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_FAILURE_RATE).hasMessageContaining("150%");
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.RATE_LIMIT_RPS, "-1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.RATE_LIMIT_RPS);
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.RATE_LIMIT_TPM, "lots")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.RATE_LIMIT_TPM);
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.CALL_TIMEOUT, "0ms")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.CALL_TIMEOUT);
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_HALF_OPEN_CALLS, "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_HALF_OPEN_CALLS);
        assertThatThrownBy(() -> parse(Map.of(ResilienceConfig.BREAKER_ENABLED, "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ResilienceConfig.BREAKER_ENABLED);
    }

    @Test
    void programmaticConstructionIsValidatedToo() {
        assertThatThrownBy(() -> ResilienceConfig.defaults().withBreaker(50, 10, 5, Duration.ofSeconds(1), 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.BREAKER_MIN_CALLS);
        assertThatThrownBy(() -> ResilienceConfig.defaults().withRateLimits(-1, 0))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ResilienceConfig.RATE_LIMIT_RPS);
    }
}
