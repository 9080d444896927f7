package io.promptq.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void producerDefaultsAreSafe() {
        Map<String, Object> props = KafkaSettings.of("b:9092").producerConfig("p1");

        assertThat(props).containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("client.id", "p1")
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true);
    }

    @Test
    void consumerCommitsManuallyAndReadsCommitted() {
        Map<String, Object> props = KafkaSettings.of("b:9092").consumerConfig("g", "c1");

        assertThat(props).containsEntry("group.id", "g")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("auto.offset.reset", "earliest")
                .containsEntry("isolation.level", "read_committed");
    }

    @Test
    void passThroughReachesEveryClientAndScopedKeysWin() {
        KafkaSettings settings = KafkaSettings.from(ConfigSource.of(Map.of(
                "PROMPTQ_KAFKA_BOOTSTRAP_SERVERS", "k1:9093,k2:9093",
                "PROMPTQ_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "PROMPTQ_KAFKA_SASL_MECHANISM", "PLAIN",
                "PROMPTQ_KAFKA_PRODUCER_LINGER_MS", "20",
                "PROMPTQ_KAFKA_PRODUCER_SECURITY_PROTOCOL", "SSL",
                "PROMPTQ_KAFKA_STREAMS_NUM_STREAM_THREADS", "4")));

        assertThat(settings.bootstrapServers()).isEqualTo("k1:9093,k2:9093");
        assertThat(settings.consumerConfig("g", "c"))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .doesNotContainKey("linger.ms");
        assertThat(settings.producerConfig("p"))
                .containsEntry("security.protocol", "SSL")
                .containsEntry("linger.ms", "20");
        assertThat(settings.streamsConfig("app"))
                .containsEntry("num.stream.threads", "4")
                .containsEntry("processing.guarantee", "exactly_once_v2");
        assertThat(settings.adminConfig("a")).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void toStringHidesPassThroughValues() {
        KafkaSettings settings = KafkaSettings.from(ConfigSource.of(Map.of(
                "PROMPTQ_KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cret\";")));

        assertThat(settings.toString()).contains("sasl.jaas.config").doesNotContain("s3cret");
    }

    @Test
    void blankBootstrapIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> KafkaSettings.of(" "))
                .isInstanceOf(ConfigException.class).hasMessageContaining(KafkaSettings.BOOTSTRAP_SERVERS.name());
    }

    @Test
    void serviceDefaultsOverrideBaseDefaultsButNotThePassThrough() {
        KafkaSettings settings = KafkaSettings.from(ConfigSource.of(Map.of("PROMPTQ_KAFKA_CONSUMER_FETCH_MAX_WAIT_MS", "100")));

        assertThat(settings.producerConfig("p", Map.of("linger.ms", 1))).containsEntry("linger.ms", 1);
        assertThat(settings.consumerConfig("g", "c", Map.of("fetch.max.wait.ms", 20, "max.poll.records", 50)))
                .containsEntry("fetch.max.wait.ms", "100")
                .containsEntry("max.poll.records", 50);
    }
}
