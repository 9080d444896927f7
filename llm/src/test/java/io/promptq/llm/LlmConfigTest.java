package io.promptq.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LlmConfigTest {

    private static LlmConfig parse(Map<String, String> env) {
        return LlmConfig.from(ConfigSource.of(env));
    }

    @Test
    void emptyEnvironmentSelectsSimulatedProviderWithDocumentedDefaults() {
        LlmConfig config = parse(Map.of());

        assertThat(config.provider()).isEqualTo(LlmConfig.ProviderKind.SIMULATED);
        assertThat(config.simulated()).isEqualTo(SimulatedSettings.defaults());
        assertThat(config.simulated().latency()).isEqualTo(LatencyDistribution.uniform(Duration.ofMillis(100), Duration.ofMillis(500)));
        assertThat(config.simulated().retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.simulated().seed()).isEqualTo(42);
        assertThat(config.simulated().failureRate()).isZero();
        assertThat(config.openAi().baseUrl()).isEqualTo(URI.create("https://api.openai.com/v1"));
        assertThat(config.openAi().apiKey()).isEmpty();
        assertThat(config.openAi().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void simulatedKeysAreParsed() {
        LlmConfig config = parse(Map.of(
                LlmConfig.SIM_LATENCY.name(), "lognormal:median=300ms,p99=2s",
                LlmConfig.SIM_TRANSIENT_RATE.name(), "0.1",
                LlmConfig.SIM_RATE_LIMITED_RATE.name(), "0.05",
                LlmConfig.SIM_RETRY_AFTER.name(), "3s",
                LlmConfig.SIM_TIMEOUT_RATE.name(), "0.02",
                LlmConfig.SIM_PERMANENT_RATE.name(), "0.01",
                LlmConfig.SIM_SEED.name(), "7",
                LlmConfig.SIM_OUTAGE.name(), "true"));

        SimulatedSettings sim = config.simulated();
        assertThat(sim.latency()).isEqualTo(LatencyDistribution.lognormal(Duration.ofMillis(300), Duration.ofSeconds(2)));
        assertThat(sim.transientRate()).isEqualTo(0.1);
        assertThat(sim.rateLimitedRate()).isEqualTo(0.05);
        assertThat(sim.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(sim.timeoutRate()).isEqualTo(0.02);
        assertThat(sim.permanentRate()).isEqualTo(0.01);
        assertThat(sim.seed()).isEqualTo(7);
        assertThat(sim.outage()).isTrue();
    }

    @Test
    void openAiKeysAreParsedAndModelMapAppliesWithPassThrough() {
        LlmConfig config = parse(Map.of(
                LlmConfig.PROVIDER.name(), "openai",
                LlmConfig.OPENAI_BASE_URL.name(), "http://127.0.0.1:11434/v1/",
                LlmConfig.OPENAI_API_KEY.name(), "sk-test-123",
                LlmConfig.OPENAI_MODEL_MAP.name(), "small=gpt-4o-mini, big = gpt-4o",
                LlmConfig.OPENAI_CONNECT_TIMEOUT.name(), "2s"));

        assertThat(config.provider()).isEqualTo(LlmConfig.ProviderKind.OPENAI);
        OpenAiSettings openAi = config.openAi();
        assertThat(openAi.baseUrl()).isEqualTo(URI.create("http://127.0.0.1:11434/v1"));
        assertThat(openAi.apiKey()).contains("sk-test-123");
        assertThat(openAi.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(openAi.providerModel("small")).isEqualTo("gpt-4o-mini");
        assertThat(openAi.providerModel("big")).isEqualTo("gpt-4o");
        assertThat(openAi.providerModel("llama3.2")).isEqualTo("llama3.2");
    }

    @Test
    void apiKeyNeverAppearsInToString() {
        LlmConfig config = parse(Map.of(LlmConfig.PROVIDER.name(), "openai", LlmConfig.OPENAI_API_KEY.name(), "sk-very-secret"));

        assertThat(config.toString()).doesNotContain("sk-very-secret").contains("apiKey=<set>");
        assertThat(config.openAi().toString()).doesNotContain("sk-very-secret");
    }

    @Test
    void blankApiKeyCountsAsAbsent() {
        assertThat(new OpenAiSettings(OpenAiSettings.DEFAULT_BASE_URL, Optional.of("  "), Map.of(), Duration.ofSeconds(1)).apiKey()).isEmpty();
    }

    @Test
    void rateOutsideZeroToOneIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.SIM_TRANSIENT_RATE.name(), "1.5")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.SIM_TRANSIENT_RATE.name())
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.SIM_PERMANENT_RATE.name(), "-0.1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.SIM_PERMANENT_RATE.name());
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.SIM_TIMEOUT_RATE.name(), "often")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.SIM_TIMEOUT_RATE.name())
                .hasMessageContaining("often");
    }

    @Test
    void ratesSummingAboveOneAreRejectedNamingEveryRateKey() {
        assertThatThrownBy(() -> parse(Map.of(
                        LlmConfig.SIM_TRANSIENT_RATE.name(), "0.5",
                        LlmConfig.SIM_RATE_LIMITED_RATE.name(), "0.3",
                        LlmConfig.SIM_TIMEOUT_RATE.name(), "0.2",
                        LlmConfig.SIM_PERMANENT_RATE.name(), "0.1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.SIM_TRANSIENT_RATE.name())
                .hasMessageContaining(LlmConfig.SIM_RATE_LIMITED_RATE.name())
                .hasMessageContaining(LlmConfig.SIM_TIMEOUT_RATE.name())
                .hasMessageContaining(LlmConfig.SIM_PERMANENT_RATE.name())
                .hasMessageContaining("must not exceed 1");
    }

    @Test
    void ratesSummingToExactlyOneAreAccepted() {
        assertThat(parse(Map.of(LlmConfig.SIM_TRANSIENT_RATE.name(), "0.7", LlmConfig.SIM_PERMANENT_RATE.name(), "0.3")).simulated().failureRate())
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void badLatencySpecIsRejectedNamingTheKeyAndValue() {
        for (String bad : new String[] {"gaussian:300ms", "fixed", "fixed:soon", "uniform:500ms-100ms", "uniform:100ms",
                "lognormal:median=2s,p99=300ms", "lognormal:median=300ms"}) {
            assertThatThrownBy(() -> parse(Map.of(LlmConfig.SIM_LATENCY.name(), bad)))
                    .as(bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(LlmConfig.SIM_LATENCY.name())
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void unknownProviderIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.PROVIDER.name(), "anthropic")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.PROVIDER.name())
                .hasMessageContaining("anthropic");
    }

    @Test
    void malformedModelMapAndBaseUrlAreRejectedNamingTheKey() {
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.OPENAI_MODEL_MAP.name(), "small=gpt-4o-mini,big")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.OPENAI_MODEL_MAP.name())
                .hasMessageContaining("'big'");
        assertThatThrownBy(() -> parse(Map.of(LlmConfig.OPENAI_BASE_URL.name(), "ftp://example.com/v1")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(LlmConfig.OPENAI_BASE_URL.name());
    }

    @Test
    void providersFactoryReturnsTheSelectedKind() {
        try (LlmProvider simulated = LlmProviders.create(parse(Map.of()));
                LlmProvider openAi = LlmProviders.create(parse(Map.of(LlmConfig.PROVIDER.name(), "openai")))) {
            assertThat(simulated).isInstanceOf(SimulatedLlm.class);
            assertThat(simulated.name()).isEqualTo("simulated");
            assertThat(openAi.name()).isEqualTo("openai");
        }
    }
}
