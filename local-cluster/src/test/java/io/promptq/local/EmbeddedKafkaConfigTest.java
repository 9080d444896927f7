package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void dataDirIsTemporaryByDefaultAndKeptAbsoluteByToBuilder() {
        assertThat(EmbeddedKafka.Config.defaults().dataDir()).isEmpty();

        EmbeddedKafka.Config config = EmbeddedKafka.Config.builder().dataDir(Path.of("target", "..", "kafka-data")).build();

        assertThat(config.dataDir()).contains(Path.of("kafka-data").toAbsolutePath());
        assertThat(config.toBuilder().build().dataDir()).isEqualTo(config.dataDir());
    }

    @Test
    void aDataDirFormattedForThreeNodesRefusesToStartWithOneAndIsLeftUntouched(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(EmbeddedKafka.CLUSTER_ID_FILE), "some-cluster-id\n");
        for (int node = 0; node < 3; node++) {
            Files.createDirectories(dir.resolve("node-" + node));
            Files.writeString(dir.resolve("node-" + node).resolve("meta.properties"), "node.id=" + node + "\n");
        }

        assertThatThrownBy(() -> EmbeddedKafka.start(EmbeddedKafka.Config.builder().dataDir(dir).build()))
                .isInstanceOf(LocalClusterException.class)
                .hasMessageContaining("holds a cluster of 3 node(s), not 1");
        assertThat(dir.resolve("node-2").resolve("meta.properties")).exists();
        assertThat(dir.resolve(EmbeddedKafka.CLUSTER_ID_FILE)).hasContent("some-cluster-id");
    }

    @Test
    void registryStorageDirKeepsSchemasInAnH2FileThere(@TempDir Path dir) {
        LocalSchemaRegistry.Config config = LocalSchemaRegistry.Config.builder().storageDir(dir).build();

        assertThat(config.registryProperties())
                .containsEntry(LocalSchemaRegistry.Config.JDBC_URL_PROPERTY, "jdbc:h2:file:" + dir.toAbsolutePath().resolve("registry"))
                .containsEntry("registry.rules.global.compatibility", "BACKWARD");
    }
}
