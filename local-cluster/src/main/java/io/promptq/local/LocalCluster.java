package io.promptq.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local promptq stack: an {@link EmbeddedKafka} cluster and, optionally, a
 * {@link LocalSchemaRegistry}, started in parallel and closed together.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
 *     cluster.createTopics(3, "prompt-jobs", "prompt-results");
 *     String bootstrap = cluster.bootstrapServers();
 *     String registry = cluster.schemaRegistryUrl(); // .../apis/ccompat/v7
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final Options options;
    private final EmbeddedKafka kafka;
    private final Optional<LocalSchemaRegistry> registry;
    private final Duration startupTime;
    private Admin admin;
    private boolean closed;

    private LocalCluster(Options options, EmbeddedKafka kafka, Optional<LocalSchemaRegistry> registry, Duration startupTime) {
        this.options = options;
        this.kafka = kafka;
        this.registry = registry;
        this.startupTime = startupTime;
    }

    /** Starts one Kafka node and a schema registry. */
    public static LocalCluster start() {
        return start(Options.defaults());
    }

    /**
     * Starts Kafka and (if enabled) the schema registry in parallel and waits until both are ready.
     * If either fails, the other is stopped before the exception is thrown.
     *
     * @throws LocalClusterException naming the server that did not start
     */
    public static LocalCluster start(Options options) {
        Objects.requireNonNull(options, "options");
        long t0 = System.nanoTime();
        CompletableFuture<LocalSchemaRegistry> registryFuture = options.schemaRegistry()
                ? CompletableFuture.supplyAsync(() -> LocalSchemaRegistry.start(options.registryConfig()),
                        runnable -> Thread.ofPlatform().name("promptq-registry-start").daemon(true).start(runnable))
                : CompletableFuture.completedFuture(null);
        EmbeddedKafka kafka = null;
        LocalSchemaRegistry registry = null;
        try {
            kafka = EmbeddedKafka.start(options.kafkaConfig());
            registry = registryFuture.join();
        } catch (RuntimeException e) {
            RuntimeException failure = e instanceof CompletionException && e.getCause() instanceof RuntimeException re ? re : e;
            if (kafka != null) {
                kafka.close();
            }
            try {
                LocalSchemaRegistry started = registryFuture.join();
                if (started != null) {
                    started.close();
                }
            } catch (RuntimeException alsoFailed) {
                if (alsoFailed != e) {
                    failure.addSuppressed(alsoFailed);
                }
            }
            throw failure;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("Local cluster ready in {} ms (Kafka {} ms{})", took.toMillis(), kafka.startupTime().toMillis(),
                registry == null ? ", no schema registry" : ", schema registry " + registry.startupTime().toMillis() + " ms");
        return new LocalCluster(options, kafka, Optional.ofNullable(registry), took);
    }

    /** Kafka bootstrap servers, {@code 127.0.0.1:port[,...]}. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * Base URL of the Confluent-compatible schema registry API, ending in {@code /apis/ccompat/v7}.
     *
     * @throws IllegalStateException if the cluster was started without a registry
     */
    public String schemaRegistryUrl() {
        return registry.map(LocalSchemaRegistry::url).orElseThrow(() ->
                new IllegalStateException("this LocalCluster was started without a schema registry (Options.schemaRegistry(false))"));
    }

    /** The Kafka cluster, e.g. to stop and start brokers in fault tests. */
    public EmbeddedKafka kafka() {
        return kafka;
    }

    /** The schema registry, if started. */
    public Optional<LocalSchemaRegistry> schemaRegistry() {
        return registry;
    }

    /** The options this cluster was started with. */
    public Options options() {
        return options;
    }

    /** Wall-clock time of {@link #start(Options)}. */
    public Duration startupTime() {
        return startupTime;
    }

    /** A shared {@link Admin} client for this cluster, created on first use and closed with the cluster. */
    public synchronized Admin admin() {
        if (closed) {
            throw new IllegalStateException("LocalCluster is closed");
        }
        if (admin == null) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            props.put(AdminClientConfig.CLIENT_ID_CONFIG, "promptq-local-admin");
            admin = Admin.create(props);
        }
        return admin;
    }

    /**
     * Creates topics with {@code partitions} partitions each (replication factor {@code min(3, nodes)})
     * and waits until every partition has a leader. Topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, but was " + partitions);
        }
        short replication = (short) Math.min(3, kafka.size());
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, replication)).toList();
        createTopics(topics);
    }

    /** Creates the given topics (idempotent, see {@link #createTopics(int, String...)}). */
    public void createTopics(Collection<NewTopic> topics) {
        createTopics(admin(), topics, TOPIC_READY_TIMEOUT);
    }

    /**
     * Creates topics through {@code admin}, ignoring those that already exist, and waits until each
     * partition has a leader that serves requests, so producers and consumers can use them at once.
     *
     * @throws LocalClusterException naming the topic that could not be created
     */
    public static void createTopics(Admin admin, Collection<NewTopic> topics, Duration timeout) {
        if (topics.isEmpty()) {
            return;
        }
        Map<String, org.apache.kafka.common.KafkaFuture<Void>> results = admin.createTopics(topics).values();
        List<String> names = new ArrayList<>();
        for (var entry : results.entrySet()) {
            names.add(entry.getKey());
            try {
                entry.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new LocalClusterException("cannot create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while creating topic " + entry.getKey(), e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new LocalClusterException("topic " + entry.getKey() + " not created within " + timeout.toMillis() + " ms", e);
            }
        }
        awaitLeaders(admin, names, timeout);
        awaitServing(admin, names, timeout);
    }

    /**
     * Leaders in the metadata are not enough: the broker creates its local replicas a moment later, and an
     * idempotent producer that meets NOT_LEADER_OR_FOLLOWER on its first batch can end up stuck on
     * OutOfOrderSequenceException (seen with Kafka 4.3.1). So wait until the leaders answer ListOffsets for
     * every partition.
     */
    private static void awaitServing(Admin admin, List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS).values().forEach(d ->
                        d.partitions().forEach(p -> partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while waiting for topics " + names, e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e; // replicas not created yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while waiting for topics " + names, e);
            }
        }
        throw new LocalClusterException("topics " + names + " are not served after " + timeout.toMillis() + " ms"
                + (last == null ? "" : ": " + last), last);
    }

    private static void awaitLeaders(Admin admin, List<String> names, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
                boolean ready = described.values().stream()
                        .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                if (ready) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while waiting for topics " + names, e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e; // metadata not propagated yet
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalClusterException("interrupted while waiting for topics " + names, e);
            }
        }
        throw new LocalClusterException("topics " + names + " have no leader after " + timeout.toMillis() + " ms"
                + (last == null ? "" : ": " + last), last);
    }

    /** Closes the admin client, then stops Kafka and the registry in parallel. Idempotent. */
    @Override
    public void close() {
        Admin toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = admin;
            admin = null;
        }
        if (toClose != null) {
            toClose.close(Duration.ofSeconds(5));
        }
        CompletableFuture<Void> registryStop = registry
                .map(r -> CompletableFuture.runAsync(r::close,
                        runnable -> Thread.ofPlatform().name("promptq-registry-stop").daemon(true).start(runnable)))
                .orElse(CompletableFuture.completedFuture(null));
        try {
            kafka.close();
        } finally {
            registryStop.join();
        }
    }

    @Override
    public String toString() {
        return "LocalCluster[kafka=" + bootstrapServers() + registry.map(r -> ", registry=" + r.url()).orElse("") + "]";
    }

    /**
     * Immutable options of a {@link LocalCluster}: broker count, default partitions, extra broker
     * properties and whether to run a schema registry.
     */
    public static final class Options {

        /** A schema registry is started unless switched off. */
        public static final boolean DEFAULT_SCHEMA_REGISTRY = true;

        private static final Options DEFAULTS = builder().build();

        private final EmbeddedKafka.Config kafkaConfig;
        private final boolean schemaRegistry;
        private final LocalSchemaRegistry.Config registryConfig;

        private Options(Builder b) {
            this.kafkaConfig = b.kafka.build();
            this.schemaRegistry = b.schemaRegistry;
            this.registryConfig = b.registryConfig;
        }

        /** One broker, {@value EmbeddedKafka.Config#DEFAULT_PARTITIONS} partitions per topic, with a registry. */
        public static Options defaults() {
            return DEFAULTS;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** Number of Kafka nodes. */
        public int brokers() {
            return kafkaConfig.nodes();
        }

        /** Default partitions per topic. */
        public int defaultPartitions() {
            return kafkaConfig.defaultPartitions();
        }

        /** Extra broker properties. */
        public Map<String, String> brokerProperties() {
            return kafkaConfig.brokerProperties();
        }

        /** Whether a schema registry is started. */
        public boolean schemaRegistry() {
            return schemaRegistry;
        }

        /** The complete Kafka configuration. */
        public EmbeddedKafka.Config kafkaConfig() {
            return kafkaConfig;
        }

        /** The registry configuration (used when {@link #schemaRegistry()} is true). */
        public LocalSchemaRegistry.Config registryConfig() {
            return registryConfig;
        }

        /** Builder for {@link Options}. */
        public static final class Builder {
            private final EmbeddedKafka.Config.Builder kafka = EmbeddedKafka.Config.builder();
            private boolean schemaRegistry = DEFAULT_SCHEMA_REGISTRY;
            private LocalSchemaRegistry.Config registryConfig = LocalSchemaRegistry.Config.defaults();

            private Builder() {
            }

            /** Number of Kafka nodes (combined broker+controller), 1 to {@value EmbeddedKafka.Config#MAX_NODES}. */
            public Builder brokers(int brokers) {
                kafka.nodes(brokers);
                return this;
            }

            /** Partitions of topics created without a count. */
            public Builder defaultPartitions(int partitions) {
                kafka.defaultPartitions(partitions);
                return this;
            }

            /** An extra broker property (see {@link EmbeddedKafka.Config.Builder#brokerProperty}). */
            public Builder brokerProperty(String key, String value) {
                kafka.brokerProperty(key, value);
                return this;
            }

            /** Several extra broker properties. */
            public Builder brokerProperties(Map<String, String> properties) {
                kafka.brokerProperties(properties);
                return this;
            }

            /** Start a schema registry (default {@value #DEFAULT_SCHEMA_REGISTRY}). */
            public Builder schemaRegistry(boolean enabled) {
                this.schemaRegistry = enabled;
                return this;
            }

            /** Registry settings; implies {@code schemaRegistry(true)}. */
            public Builder registryConfig(LocalSchemaRegistry.Config config) {
                this.registryConfig = Objects.requireNonNull(config, "registryConfig");
                this.schemaRegistry = true;
                return this;
            }

            /** A fixed Kafka client port for node 0 (see {@link EmbeddedKafka.Config.Builder#brokerPort}); 0 = free port. */
            public Builder kafkaPort(int port) {
                kafka.brokerPort(port);
                return this;
            }

            /**
             * A persistent Kafka data directory reused by later starts (see {@link EmbeddedKafka.Config#dataDir()});
             * null (default) for a temporary one.
             */
            public Builder kafkaDataDir(java.nio.file.Path dir) {
                kafka.dataDir(dir);
                return this;
            }

            /**
             * Whether Kafka stops itself at JVM exit (default true); owners that close their clients and then
             * the cluster from their own shutdown hook turn it off (see {@link EmbeddedKafka.Config#shutdownHook()}).
             */
            public Builder kafkaShutdownHook(boolean enabled) {
                kafka.shutdownHook(enabled);
                return this;
            }

            /** Whether each Kafka node runs in its own child JVM (see {@link EmbeddedKafka.Config#nodeProcesses()}). */
            public Builder kafkaNodeProcesses(boolean enabled) {
                kafka.nodeProcesses(enabled);
                return this;
            }

            /** Limit for Kafka start-up. */
            public Builder startupTimeout(Duration timeout) {
                kafka.startupTimeout(timeout);
                return this;
            }

            public Options build() {
                return new Options(this);
            }
        }
    }
}
