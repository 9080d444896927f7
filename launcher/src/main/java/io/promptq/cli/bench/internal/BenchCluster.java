package io.promptq.cli.bench.internal;

import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.local.Directories;
import io.promptq.local.LocalCluster;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.config.ConfigSource;
import io.promptq.topic.SchemaRegistryKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One real local broker and schema registry for a whole benchmark run (paying their start-up once), on which
 * every scenario gets its own topics and consumer group, named {@code bench-<run>.<scenario>.*}.
 */
public final class BenchCluster implements AutoCloseable {

    /**
     * The broker's session with its (in-process) controller. The local cluster's default is too short here: the
     * benchmark saturates the CPU and forces full GCs in the broker's JVM, and a fenced broker loses its
     * partitions' leadership in mid-scenario.
     */
    private static final String SESSION_TIMEOUT = "broker.session.timeout.ms";
    private static final String BROKER_SESSION_TIMEOUT_MS = "30000";

    private final LocalCluster cluster;
    private final SchemaRegistryClient registry;
    private final ConfigSource config;
    private final String runId;
    private final Path stateDir;

    private BenchCluster(LocalCluster cluster, Path stateDir, Map<String, String> overrides) {
        this.cluster = cluster;
        this.stateDir = stateDir;
        byte[] id = new byte[3];
        ThreadLocalRandom.current().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        Map<String, String> env = new HashMap<>(overrides);
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put("PROMPTQ_HTTP_HOST", "127.0.0.1");
        this.config = ConfigSource.of(env);
        this.registry = SchemaRegistryClient.create(SchemaRegistryKeys.from(config));
    }

    /**
     * Starts the broker and registry.
     *
     * @param overrides configuration entries (env keys) for every service of every scenario, e.g.
     *     {@code PROMPTQ_WORKER_GROUP_PROTOCOL=classic}; the keys a scenario is defined by (topics, K, cap, ...) win
     */
    public static BenchCluster start(Map<String, String> overrides, Consumer<String> log) {
        log.accept("Starting a local Kafka broker (KRaft) and schema registry ...");
        LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder()
                .brokerProperty(SESSION_TIMEOUT, BROKER_SESSION_TIMEOUT_MS)
                .build());
        log.accept(String.format("  ready in %.1f s (Kafka %s)", cluster.startupTime().toMillis() / 1000.0,
                cluster.bootstrapServers()));
        try {
            return new BenchCluster(cluster, Files.createTempDirectory("promptq-bench-"), overrides);
        } catch (IOException e) {
            cluster.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** Bootstrap servers, registry URL and the overrides; scenarios add their own keys. */
    public ConfigSource config() {
        return config;
    }

    public KafkaSettings kafka() {
        return KafkaSettings.from(config);
    }

    /** A registry client shared by the run's own producers and consumers (not by the services). */
    public SchemaRegistryClient registry() {
        return registry;
    }

    /** A name unique to this run and scenario, e.g. {@code bench-3fa2c1.noop.jobs}. */
    public String name(String scenario, String what) {
        return "bench-" + runId + "." + scenario + "." + what;
    }

    /** A fresh directory for a scenario's state (Kafka Streams stores). */
    public Path stateDir(String scenario) {
        return stateDir.resolve(scenario);
    }

    /** Creates topics and waits until the broker serves every partition (see {@link LocalCluster#createTopics}). */
    public void createTopics(Collection<NewTopic> topics) {
        cluster.createTopics(topics);
    }

    /** Creates promptq topics from their specs through the shared {@link TopicProvisioner}, and waits until served. */
    public void provisionTopics(Collection<TopicSpec> topics) {
        TopicProvisioner.create(cluster.admin()).ensure(topics);
    }

    /** Deletes topics (best effort: a failure only leaves data until the cluster is closed). */
    public void deleteTopics(List<String> names) {
        try {
            cluster.admin().deleteTopics(names).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        try {
            registry.close();
        } finally {
            cluster.close();
            Directories.deleteRecursively(stateDir); // temporary files: what is left, the OS cleans up
        }
    }
}
