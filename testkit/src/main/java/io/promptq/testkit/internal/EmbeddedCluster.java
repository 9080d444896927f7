package io.promptq.testkit.internal;

import java.util.Optional;

import io.promptq.local.EmbeddedKafka;
import io.promptq.local.LocalCluster;
import io.promptq.testkit.ClusterMode;
import org.apache.kafka.clients.admin.Admin;

/** The embedded mode: a {@link LocalCluster} with one broker and the Apicurio registry. */
public final class EmbeddedCluster implements ManagedCluster {

    private final LocalCluster cluster;

    private EmbeddedCluster(LocalCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts Kafka and the registry (in parallel). */
    public static EmbeddedCluster start() {
        return new EmbeddedCluster(LocalCluster.start(LocalCluster.Options.defaults()));
    }

    @Override
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    @Override
    public String schemaRegistryUrl() {
        return cluster.schemaRegistryUrl();
    }

    @Override
    public Admin admin() {
        return cluster.admin();
    }

    @Override
    public void createTopics(int partitions, String... names) {
        cluster.createTopics(partitions, names);
    }

    @Override
    public Optional<EmbeddedKafka> embedded() {
        return Optional.of(cluster.kafka());
    }

    @Override
    public ClusterMode mode() {
        return ClusterMode.EMBEDDED;
    }

    @Override
    public void close() {
        cluster.close();
    }

    @Override
    public String toString() {
        return "embedded " + cluster;
    }
}
