package io.promptq.testkit;

import java.util.Optional;

import io.promptq.local.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;

/**
 * What an integration test needs to know about the shared cluster. Obtained as a test parameter
 * (with {@link PromptqCluster}) or from {@link SharedCluster#get()}. Tests must not close it.
 */
public interface ClusterInfo {

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:40123}. */
    String bootstrapServers();

    /**
     * Base URL of a Confluent-compatible schema registry API: {@code http://127.0.0.1:<port>/apis/ccompat/v7}
     * for the embedded Apicurio registry, {@code http://<host>:<port>} for Testcontainers. Append
     * paths such as {@code /subjects} to it.
     */
    String schemaRegistryUrl();

    /** A shared admin client; do not close it. */
    Admin admin();

    /**
     * Creates topics with {@code partitions} partitions each and waits until they have leaders.
     * Topics that already exist are left unchanged, so every test may call this for the topics it uses.
     */
    void createTopics(int partitions, String... names);

    /** The in-process Kafka cluster for fault tests (stop and start a broker); empty for Testcontainers. */
    Optional<EmbeddedKafka> embedded();

    /** Which kind of cluster this is. */
    ClusterMode mode();
}
