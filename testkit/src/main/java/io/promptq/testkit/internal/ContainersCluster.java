package io.promptq.testkit.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;

import io.promptq.local.EmbeddedKafka;
import io.promptq.local.LocalCluster;
import io.promptq.testkit.ClusterMode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers mode: {@code apache/kafka} and Confluent's schema registry on one Docker network.
 * Broker settings mirror the embedded cluster (3 partitions, no topic auto-creation, no initial
 * rebalance delay). Docker publishes the mapped ports as it is configured to (usually all interfaces).
 */
public final class ContainersCluster implements ManagedCluster {

    /** Kafka image; same version as the embedded broker. */
    public static final String KAFKA_IMAGE = "apache/kafka:4.3.1";
    /** Confluent Schema Registry image. */
    public static final String REGISTRY_IMAGE = "confluentinc/cp-schema-registry:7.9.0";

    private static final String KAFKA_ALIAS = "kafka";
    private static final String INTERNAL_LISTENER = KAFKA_ALIAS + ":19092";
    private static final int REGISTRY_PORT = 8081;

    private final Network network;
    private final KafkaContainer kafka;
    private final GenericContainer<?> registry;
    private Admin admin;

    private ContainersCluster(Network network, KafkaContainer kafka, GenericContainer<?> registry) {
        this.network = network;
        this.kafka = kafka;
        this.registry = registry;
    }

    /** True if Testcontainers can reach a Docker engine (the result is cached by Testcontainers). */
    public static boolean isDockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Starts both containers; stops whatever started if the other fails. */
    @SuppressWarnings("resource")
    public static ContainersCluster start() {
        Network network = Network.newNetwork();
        KafkaContainer kafka = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE))
                .withNetwork(network)
                .withNetworkAliases(KAFKA_ALIAS)
                .withListener(INTERNAL_LISTENER)
                .withEnv("KAFKA_NUM_PARTITIONS", "3")
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR", "1");
        GenericContainer<?> registry = new GenericContainer<>(DockerImageName.parse(REGISTRY_IMAGE))
                .withNetwork(network)
                .withNetworkAliases("schema-registry")
                .withExposedPorts(REGISTRY_PORT)
                .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
                .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:" + REGISTRY_PORT)
                .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://" + INTERNAL_LISTENER)
                .dependsOn(kafka)
                .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        try {
            kafka.start();
            registry.start();
        } catch (RuntimeException e) {
            registry.stop();
            kafka.stop();
            network.close();
            throw e;
        }
        return new ContainersCluster(network, kafka, registry);
    }

    @Override
    public String bootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return "http://" + registry.getHost() + ":" + registry.getMappedPort(REGISTRY_PORT);
    }

    @Override
    public synchronized Admin admin() {
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "promptq-testkit-admin");
            admin = Admin.create(props);
        }
        return admin;
    }

    @Override
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, but was " + partitions);
        }
        LocalCluster.createTopics(admin(),
                Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList(), Duration.ofSeconds(30));
    }

    @Override
    public Optional<EmbeddedKafka> embedded() {
        return Optional.empty();
    }

    @Override
    public ClusterMode mode() {
        return ClusterMode.TESTCONTAINERS;
    }

    @Override
    public void close() {
        Admin toClose;
        synchronized (this) {
            toClose = admin;
            admin = null;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
        registry.stop();
        kafka.stop();
        network.close();
    }

    @Override
    public String toString() {
        return "testcontainers cluster[kafka=" + bootstrapServers() + ", registry=" + schemaRegistryUrl() + "]";
    }
}
