package io.promptq.client.internal;

import io.promptq.kafka.KafkaSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The producer properties of a client: {@link KafkaSettings#producerConfig} (acks=all, idempotent) with
 * the timeouts derived from the send timeout, so that neither {@code send} nor the acknowledgement can
 * outlast it. Explicit overrides ({@code PROMPTQ_KAFKA_PRODUCER_MAX_BLOCK_MS} etc.) win; the delivery timeout
 * is then raised if Kafka's rule {@code delivery.timeout.ms >= linger.ms + request.timeout.ms} demands it.
 */
public final class ProducerProperties {

    private ProducerProperties() {}

    public static Map<String, Object> of(KafkaSettings kafka, String clientId, Duration sendTimeout) {
        Map<String, Object> props = kafka.producerConfig(clientId);
        long timeout = sendTimeout.toMillis();
        long linger = longValue(props, ProducerConfig.LINGER_MS_CONFIG, 5);
        if (!overridden(kafka, ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        }
        if (!overridden(kafka, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG)) {
            long current = longValue(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
            props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(current, timeout - linger)));
        }
        long requestTimeout = longValue(props, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        if (!overridden(kafka, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.max(timeout, linger + requestTimeout));
        }
        return props;
    }

    private static boolean overridden(KafkaSettings kafka, String key) {
        return kafka.common().containsKey(key) || kafka.producer().containsKey(key);
    }

    /** The value of {@code key} read as Kafka reads a long (a number, or its text), or {@code fallback} if unset. */
    private static long longValue(Map<String, Object> props, String key, long fallback) {
        Object value = props.get(key);
        return value == null ? fallback : (Long) ConfigDef.parseType(key, value, ConfigDef.Type.LONG);
    }
}
