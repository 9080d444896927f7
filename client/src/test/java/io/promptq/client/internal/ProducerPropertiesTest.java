package io.promptq.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

class ProducerPropertiesTest {

    @Test
    void sendTimeoutBoundsBlockingAndDelivery() {
        Map<String, Object> props = ProducerProperties.of(KafkaSettings.of("k:9092"), "c", Duration.ofSeconds(5));

        assertThat(props).containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000L)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4_995)
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    @Test
    void explicitOverridesWinAndKeepKafkasTimeoutRule() {
        KafkaSettings kafka = KafkaSettings.from(ConfigSource.of(Map.of(
                "PROMPTQ_KAFKA_PRODUCER_REQUEST_TIMEOUT_MS", "20000",
                "PROMPTQ_KAFKA_PRODUCER_MAX_BLOCK_MS", "1000")));

        Map<String, Object> props = ProducerProperties.of(kafka, "c", Duration.ofSeconds(5));

        assertThat(props).containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000")
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_005);
    }
}
