package io.promptq.kafka;

import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Connection settings and client-property overrides shared by every promptq service.
 *
 * <p>Environment keys:
 * <ul>
 *   <li>{@link #BOOTSTRAP_SERVERS} – the brokers (default {@value #DEFAULT_BOOTSTRAP_SERVERS}).</li>
 *   <li>{@code PROMPTQ_KAFKA_<PROPERTY>} – any Kafka client property for every client, upper-cased with
 *       dots as underscores: {@code PROMPTQ_KAFKA_SECURITY_PROTOCOL=SASL_SSL} sets {@code security.protocol}.</li>
 *   <li>{@code PROMPTQ_KAFKA_PRODUCER_<PROPERTY>}, {@code PROMPTQ_KAFKA_CONSUMER_<PROPERTY>},
 *       {@code PROMPTQ_KAFKA_ADMIN_<PROPERTY>}, {@code PROMPTQ_KAFKA_STREAMS_<PROPERTY>} – the same, for one
 *       kind of client only; they win over the shared ones.</li>
 * </ul>
 * Pass-through values are applied after promptq's defaults, so they can override any of them.
 *
 * @param bootstrapServers the {@code bootstrap.servers} list
 * @param common properties for every client
 * @param producer properties for producers only
 * @param consumer properties for consumers only
 * @param admin properties for admin clients only
 * @param streams properties for Kafka Streams only
 */
public record KafkaSettings(
        String bootstrapServers,
        Map<String, String> common,
        Map<String, String> producer,
        Map<String, String> consumer,
        Map<String, String> admin,
        Map<String, String> streams) {

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    /** Env key: the Kafka brokers, {@code host:port[,host:port...]}. */
    public static final ConfigKey<String> BOOTSTRAP_SERVERS =
            ConfigKey.text("PROMPTQ_KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP_SERVERS);
    /** Env key prefix of the client-property pass-through, e.g. {@code PROMPTQ_KAFKA_SECURITY_PROTOCOL}. */
    public static final String PREFIX = "PROMPTQ_KAFKA_";

    public KafkaSettings {
        BOOTSTRAP_SERVERS.check(bootstrapServers);
        common = Map.copyOf(common);
        producer = Map.copyOf(producer);
        consumer = Map.copyOf(consumer);
        admin = Map.copyOf(admin);
        streams = Map.copyOf(streams);
    }

    /** Settings for the given brokers with no overrides. */
    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** Reads {@link #BOOTSTRAP_SERVERS} and the {@code PROMPTQ_KAFKA_*} pass-through entries. */
    public static KafkaSettings from(ConfigSource config) {
        String bootstrap = BOOTSTRAP_SERVERS.read(config);
        Map<String, String> common = new HashMap<>();
        Map<String, String> producer = new HashMap<>();
        Map<String, String> consumer = new HashMap<>();
        Map<String, String> admin = new HashMap<>();
        Map<String, String> streams = new HashMap<>();
        config.withPrefix(PREFIX).forEach((suffix, value) -> {
            if ((PREFIX + suffix).equals(BOOTSTRAP_SERVERS.name())) {
                return;
            }
            if (suffix.startsWith("PRODUCER_")) {
                producer.put(propertyName(suffix.substring(9)), value);
            } else if (suffix.startsWith("CONSUMER_")) {
                consumer.put(propertyName(suffix.substring(9)), value);
            } else if (suffix.startsWith("ADMIN_")) {
                admin.put(propertyName(suffix.substring(6)), value);
            } else if (suffix.startsWith("STREAMS_")) {
                streams.put(propertyName(suffix.substring(8)), value);
            } else {
                common.put(propertyName(suffix), value);
            }
        });
        return new KafkaSettings(bootstrap, common, producer, consumer, admin, streams);
    }

    /** {@code SASL_JAAS_CONFIG} → {@code sasl.jaas.config}. */
    static String propertyName(String envSuffix) {
        return envSuffix.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /**
     * Producer properties: acks=all, idempotence, bounded in-flight requests and a short linger, then the
     * overrides. Serializers are passed to the producer's constructor by the caller.
     */
    public Map<String, Object> producerConfig(String clientId) {
        return producerConfig(clientId, Map.of());
    }

    /**
     * Producer properties with a service's own defaults applied over promptq's and under the pass-through,
     * so an operator's {@code PROMPTQ_KAFKA_*} setting still wins.
     */
    public Map<String, Object> producerConfig(String clientId, Map<String, ?> serviceDefaults) {
        Map<String, Object> props = base(clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 65_536);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(serviceDefaults);
        props.putAll(common);
        props.putAll(producer);
        return props;
    }

    /**
     * Consumer properties: manual commits, earliest reset, read-committed, then the overrides.
     * Deserializers are passed to the consumer's constructor by the caller.
     */
    public Map<String, Object> consumerConfig(String groupId, String clientId) {
        return consumerConfig(groupId, clientId, Map.of());
    }

    /**
     * Consumer properties with a service's own defaults applied over promptq's and under the pass-through,
     * so an operator's {@code PROMPTQ_KAFKA_*} setting still wins.
     */
    public Map<String, Object> consumerConfig(String groupId, String clientId, Map<String, ?> serviceDefaults) {
        Map<String, Object> props = base(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putAll(serviceDefaults);
        props.putAll(common);
        props.putAll(consumer);
        return props;
    }

    public Map<String, Object> adminConfig(String clientId) {
        Map<String, Object> props = base(clientId);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(common);
        props.putAll(admin);
        return props;
    }

    /** Kafka Streams properties: exactly-once v2, the broker's default replication factor, then the overrides. */
    public Map<String, Object> streamsConfig(String applicationId) {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        props.putAll(common);
        props.putAll(streams);
        return props;
    }

    private Map<String, Object> base(String clientId) {
        Map<String, Object> props = new HashMap<>();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    @Override
    public String toString() {
        // Pass-through values may hold credentials (sasl.jaas.config, ssl passwords): show keys only.
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", common=" + common.keySet()
                + ", producer=" + producer.keySet() + ", consumer=" + consumer.keySet()
                + ", admin=" + admin.keySet() + ", streams=" + streams.keySet() + "]";
    }
}
