package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaultsApplyWhenNothingIsSet() {
        ClientConfig config = ClientConfig.from(ConfigSource.empty());

        assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.clientId()).isEqualTo("promptq-client");
        assertThat(config.rules()).isEqualTo(ValidationRules.defaults());
        assertThat(config.topics().jobs()).isEqualTo("promptq.jobs");
    }

    @Test
    void readsRulesAndTimeoutFromTheEnvironment() {
        ClientConfig config = ClientConfig.from(ConfigSource.of(Map.of(
                ValidationRules.MAX_TOKENS_CAP.name(), "512",
                ValidationRules.MODEL_ALLOWLIST.name(), "a, b",
                ClientConfig.SEND_TIMEOUT.name(), "2s")));

        assertThat(config.rules().maxTokensCap()).isEqualTo(512);
        assertThat(config.rules().defaultMaxTokens()).isEqualTo(512);
        assertThat(config.rules().modelAllowList()).containsExactly("a", "b");
        assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> ClientConfig.from(ConfigSource.of(Map.of(ClientConfig.SEND_TIMEOUT.name(), "10ms"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(ClientConfig.SEND_TIMEOUT.name()));
        assertThatThrownBy(() -> ValidationRules.from(ConfigSource.of(Map.of(ValidationRules.MAX_TOKENS_CAP.name(), "0"))))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(ValidationRules.MAX_TOKENS_CAP.name()));
        assertThatThrownBy(() -> ValidationRules.from(ConfigSource.of(Map.of(
                ValidationRules.MAX_TOKENS_CAP.name(), "100", ValidationRules.DEFAULT_MAX_TOKENS_KEY.name(), "200"))))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo(ValidationRules.DEFAULT_MAX_TOKENS_KEY.name()));
    }

    @Test
    void builtRulesDefaultMaxTokensToTheCapWhenTheCapIsSmallerUnlessSet() {
        assertThat(ValidationRules.builder().maxTokensCap(512).build().defaultMaxTokens()).isEqualTo(512);
        assertThat(ValidationRules.builder().maxTokensCap(4096).build().defaultMaxTokens()).isEqualTo(1024);
        assertThatThrownBy(() -> ValidationRules.builder().maxTokensCap(512).defaultMaxTokens(600).build())
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo(ValidationRules.DEFAULT_MAX_TOKENS_KEY.name()));
    }

    @Test
    void programmaticSendTimeoutIsCheckedLikeAReadOne() {
        ClientConfig config = ClientConfig.from(ConfigSource.empty());

        assertThatThrownBy(() -> config.toBuilder().sendTimeout(Duration.ofMillis(10)).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage(ClientConfig.SEND_TIMEOUT.name() + ": invalid value '10ms', must be between 500ms and 5m");
    }
}
