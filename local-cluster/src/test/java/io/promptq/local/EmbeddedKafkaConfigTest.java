package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class EmbeddedKafkaConfigTest {

    @Test
    void defaultsAreOneNodeAndThreePartitions() {
        EmbeddedKafka.Config config = EmbeddedKafka.Config.defaults();
        assertThat(config.nodes()).isEqualTo(1);
        assertThat(config.defaultPartitions()).isEqualTo(3);
        assertThat(config.brokerProperties()).isEmpty();
    }

    @Test
    void invalidValuesAreRejectedWithFieldAndValue() {
        assertThatThrownBy(() -> EmbeddedKafka.Config.builder().nodes(0))
                .hasMessage("nodes must be between 1 and 9, but was 0");
        assertThatThrownBy(() -> EmbeddedKafka.Config.builder().defaultPartitions(-2))
                .hasMessage("defaultPartitions must be at least 1, but was -2");
        assertThatThrownBy(() -> EmbeddedKafka.Config.builder().startupTimeout(Duration.ZERO))
                .hasMessage("startupTimeout must be positive, but was PT0S");
        assertThatThrownBy(() -> EmbeddedKafka.Config.builder().brokerProperty(" ", "x"))
                .hasMessage("brokerProperty key must not be blank, but was ' '");
    }

    @Test
    void builtConfigIsImmutableAndCopyable() {
        EmbeddedKafka.Config config = EmbeddedKafka.Config.builder().nodes(3).brokerProperty("log.retention.ms", "1000").build();
        assertThatThrownBy(() -> config.brokerProperties().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        EmbeddedKafka.Config copy = config.toBuilder().defaultPartitions(6).build();
        assertThat(copy.nodes()).isEqualTo(3);
        assertThat(copy.defaultPartitions()).isEqualTo(6);
        assertThat(copy.brokerProperties()).containsEntry("log.retention.ms", "1000");
    }

    @Test
    void localClusterOptionsCarryKafkaAndRegistrySettings() {
        LocalCluster.Options options = LocalCluster.Options.builder().brokers(3).defaultPartitions(4)
                .brokerProperty("num.io.threads", "2").schemaRegistry(false).build();
        assertThat(options.brokers()).isEqualTo(3);
        assertThat(options.defaultPartitions()).isEqualTo(4);
        assertThat(options.brokerProperties()).containsEntry("num.io.threads", "2");
        assertThat(options.schemaRegistry()).isFalse();
        assertThat(LocalCluster.Options.defaults().schemaRegistry()).isTrue();
    }

    @Test
    void aFixedPortThatIsTakenFailsFastWithThePort() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress(io.promptq.local.internal.FreePorts.loopback(), 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> EmbeddedKafka.start(EmbeddedKafka.Config.builder().brokerPort(port).build()))
                    .isInstanceOf(LocalClusterException.class)
                    .hasMessageContaining("Kafka cannot use port " + port);
            assertThatThrownBy(() -> LocalSchemaRegistry.start(LocalSchemaRegistry.Config.builder().port(port).build()))
                    .isInstanceOf(LocalClusterException.class)
                    .hasMessageContaining("cannot use port " + port);
        }
    }

    @Test
    void registryCompatibilityMustBeAConfluentLevel() {
        assertThatThrownBy(() -> LocalSchemaRegistry.Config.builder().compatibility("backward"))
                .hasMessageStartingWith("compatibility must be one of [NONE, BACKWARD");
        assertThat(LocalSchemaRegistry.Config.defaults().compatibility()).isEqualTo("BACKWARD");
    }
}
