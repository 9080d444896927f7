package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

class AggregatorConfigTest {

    @Test
    void defaultsMatchTheDocumentedValues() {
        AggregatorConfig config = AggregatorConfig.from(ConfigSource.empty());

        assertThat(config.applicationId()).isEqualTo("promptq-aggregator");
        assertThat(config.window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.grace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.dedupRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8083);
        assertThat(config.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(config.createTopics()).isTrue();
    }

    @Test
    void readsEveryKey() {
        AggregatorConfig config = AggregatorConfig.from(ConfigSource.of(Map.of(
                AggregatorConfig.APPLICATION_ID.name(), "agg-2",
                AggregatorConfig.WINDOW.name(), "5m",
                AggregatorConfig.GRACE.name(), "0s",
                AggregatorConfig.DEDUP_RETENTION.name(), "2d",
                AggregatorConfig.STATE_DIR.name(), "/tmp/agg-state",
                AggregatorConfig.ADVERTISED_HOST.name(), "agg-2.internal",
                AggregatorConfig.COMMIT_INTERVAL.name(), "250ms",
                AggregatorConfig.HTTP_PORT.name(), "0",
                AggregatorConfig.CREATE_TOPICS.name(), "false",
                "PROMPTQ_KAFKA_BOOTSTRAP_SERVERS", "broker:9092")));

        assertThat(config.applicationId()).isEqualTo("agg-2");
        assertThat(config.window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.grace()).isZero();
        assertThat(config.dedupRetention()).isEqualTo(Duration.ofDays(2));
        assertThat(config.stateDir()).isEqualTo(Path.of("/tmp/agg-state"));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.createTopics()).isFalse();

        Map<String, Object> props = AggregatorService.streamsProperties(config, new HostInfo("agg-2.internal", 8083));
        assertThat(props).containsEntry(StreamsConfig.APPLICATION_SERVER_CONFIG, "agg-2.internal:8083")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "agg-2")
                .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 250L)
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092");
    }

    @Test
    void aBadValueNamesItsKey() {
        assertThatThrownBy(() -> AggregatorConfig.from(ConfigSource.of(Map.of(AggregatorConfig.WINDOW.name(), "soon"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AggregatorConfig.WINDOW.name())
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> AggregatorConfig.from(ConfigSource.of(Map.of(AggregatorConfig.HTTP_PORT.name(), "70000"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AggregatorConfig.HTTP_PORT.name());
    }

    @Test
    void windowRetentionShorterThanWindowPlusGraceIsRejected() {
        assertThatThrownBy(() -> AggregatorConfig.from(ConfigSource.of(Map.of(
                        AggregatorConfig.WINDOW.name(), "10m", AggregatorConfig.WINDOW_RETENTION.name(), "5m"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(AggregatorConfig.WINDOW_RETENTION.name());
    }

    @Test
    void wildcardHttpHostAdvertisesTheMachineName() {
        AggregatorConfig config = AggregatorConfig.from(ConfigSource.of(Map.of(AggregatorConfig.HTTP_HOST.name(), "0.0.0.0")));

        assertThat(config.advertisedHost()).isNotEqualTo("0.0.0.0").isNotBlank();
    }
}
