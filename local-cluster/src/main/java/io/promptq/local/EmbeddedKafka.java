package io.promptq.local;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.promptq.local.internal.ExitGuard;
import io.promptq.local.internal.FreePorts;
import io.promptq.local.internal.KafkaNode;
import io.promptq.local.internal.SimultaneousTasks;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Kafka KRaft cluster running inside this JVM: one combined broker+controller node by
 * default, or several for fault tests; with {@link Config#nodeProcesses()} each node is its own child JVM
 * instead, so one can be killed with SIGKILL ({@link #killBroker(int)}) and a whole cluster stops cleanly on SIGTERM.
 *
 * <p>Every listener is bound to 127.0.0.1 on a free port; the data lives in a temporary directory
 * that {@link #close()} removes, or in a persistent one that later starts reuse ({@link Config#dataDir()}). A node can be stopped and started again with the same ports and
 * data ({@link #stopBroker(int)}, {@link #startBroker(int)}, {@link #restart()}), so tests can check
 * how clients behave while Kafka is down. A fatal broker fault cannot stop the JVM: Kafka's exit and
 * halt procedures are replaced (see {@code ExitGuard}). Topics are not auto-created.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int MAX_START_ATTEMPTS = 3;
    /** File of a {@linkplain Config#dataDir() persistent data directory} holding the KRaft cluster id. */
    public static final String CLUSTER_ID_FILE = "cluster.id";

    private final Config config;
    private final Path baseDir;
    private final String clusterId;
    private final List<KafkaNode> nodes;
    private final Duration startupTime;
    private final Thread shutdownHook;
    private boolean closed;

    private EmbeddedKafka(Config config, Path baseDir, String clusterId, List<KafkaNode> nodes, Duration startupTime) {
        this.config = config;
        this.baseDir = baseDir;
        this.clusterId = clusterId;
        this.nodes = List.copyOf(nodes);
        this.startupTime = startupTime;
        this.shutdownHook = config.shutdownHook()
                ? Thread.ofPlatform().name("promptq-kafka-shutdown").unstarted(this::closeFromHook)
                : null;
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Starts a single-node cluster with the {@linkplain Config#defaults() default configuration}. */
    public static EmbeddedKafka start() {
        return start(Config.defaults());
    }

    /**
     * Starts a cluster and waits until every broker is registered and unfenced.
     *
     * @throws LocalClusterException if the cluster does not start within {@link Config#startupTimeout()}
     */
    public static EmbeddedKafka start(Config config) {
        Objects.requireNonNull(config, "config");
        ExitGuard.install();
        long started = System.nanoTime();
        if (config.dataDir().isPresent()) {
            return startPersistent(config, config.dataDir().get(), started);
        }
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("promptq-kafka-");
        } catch (IOException e) {
            throw new LocalClusterException("cannot create a temporary directory for Kafka data", e);
        }
        String clusterId = Uuid.randomUuid().toString();
        for (int attempt = 1; ; attempt++) {
            List<KafkaNode> nodes;
            try {
                nodes = newNodes(config, baseDir);
            } catch (RuntimeException e) {
                Directories.deleteRecursively(baseDir);
                throw e;
            }
            try {
                for (KafkaNode node : nodes) {
                    node.format(clusterId);
                }
                runOnNodes("promptq-kafka-start-", nodes, KafkaNode::start, config.startupTimeout());
                awaitBrokers(bootstrapOf(nodes), nodes.size(), config.startupTimeout());
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                EmbeddedKafka kafka = new EmbeddedKafka(config, baseDir, clusterId, nodes, took);
                LOG.info("Kafka {} ({} node{}) ready at {} in {} ms", AppInfoParser.getVersion(), nodes.size(),
                        nodes.size() == 1 ? "" : "s", kafka.bootstrapServers(), took.toMillis());
                return kafka;
            } catch (Exception e) {
                stopQuietly(nodes);
                boolean portTaken = isBindFailure(e) && config.brokerPort() == 0;
                if (portTaken && attempt < MAX_START_ATTEMPTS) {
                    LOG.warn("Kafka could not bind its ports (attempt {}/{}), retrying with new ports: {}",
                            attempt, MAX_START_ATTEMPTS, e.toString());
                    Directories.deleteRecursively(baseDir);
                    try {
                        Files.createDirectories(baseDir);
                    } catch (IOException io) {
                        e.addSuppressed(io);
                        throw new LocalClusterException("cannot recreate Kafka data directory " + baseDir, e);
                    }
                    continue;
                }
                Directories.deleteRecursively(baseDir);
                throw new LocalClusterException("Kafka (" + nodes.size() + " node(s)) did not start: " + e, e);
            }
        }
    }

    /**
     * Starts a cluster on a persistent directory: the first start formats it (cluster id kept in
     * {@value #CLUSTER_ID_FILE}), later starts reuse the same cluster id, node ids and log directories, so
     * topics and committed offsets survive. Nothing is deleted on close; a failed start leaves the data as is.
     */
    private static EmbeddedKafka startPersistent(Config config, Path dir, long started) {
        String clusterId;
        List<KafkaNode> nodes;
        try {
            Files.createDirectories(dir);
            Path idFile = dir.resolve(CLUSTER_ID_FILE);
            boolean fresh = !Files.isRegularFile(idFile);
            if (fresh) {
                clusterId = Uuid.randomUuid().toString();
            } else {
                clusterId = Files.readString(idFile).strip();
                int formatted = formattedNodes(dir);
                if (formatted != config.nodes()) {
                    throw new LocalClusterException("Kafka data directory " + dir + " holds a cluster of " + formatted
                            + " node(s), not " + config.nodes() + ": start it with the same number of brokers or use another directory");
                }
            }
            nodes = newNodes(config, dir);
            if (fresh) {
                for (KafkaNode node : nodes) {
                    node.format(clusterId);
                }
                Files.writeString(idFile, clusterId + System.lineSeparator());
            }
        } catch (LocalClusterException e) {
            throw e;
        } catch (Exception e) {
            throw new LocalClusterException("cannot prepare Kafka data directory " + dir + ": " + e, e);
        }
        try {
            runOnNodes("promptq-kafka-start-", nodes, KafkaNode::start, config.startupTimeout());
            awaitBrokers(bootstrapOf(nodes), nodes.size(), config.startupTimeout());
        } catch (Exception e) {
            stopQuietly(nodes);
            throw new LocalClusterException("Kafka (" + nodes.size() + " node(s)) on " + dir + " did not start: " + e, e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        EmbeddedKafka kafka = new EmbeddedKafka(config, dir, clusterId, nodes, took);
        LOG.info("Kafka {} ({} node{}, data in {}) ready at {} in {} ms", AppInfoParser.getVersion(), nodes.size(),
                nodes.size() == 1 ? "" : "s", dir, kafka.bootstrapServers(), took.toMillis());
        return kafka;
    }

    /** Number of {@code node-<id>} directories under {@code dir} that hold a formatted KRaft log directory. */
    private static int formattedNodes(Path dir) {
        int n = 0;
        while (Files.isRegularFile(dir.resolve("node-" + n).resolve("meta.properties"))) {
            n++;
        }
        return n;
    }

    /** Comma-separated {@code 127.0.0.1:port} of every node (stopped ones included). */
    public String bootstrapServers() {
        return bootstrapOf(nodes);
    }

    /** Number of nodes; node ids are {@code 0 .. size()-1}. */
    public int size() {
        return nodes.size();
    }

    /** The KRaft cluster id this cluster was formatted with. */
    public String clusterId() {
        return clusterId;
    }

    /** Client port of node {@code nodeId}. */
    public int brokerPort(int nodeId) {
        return node(nodeId).brokerPort();
    }

    /** Controller (KRaft quorum) port of node {@code nodeId}. */
    public int controllerPort(int nodeId) {
        return node(nodeId).controllerPort();
    }

    /** The configuration this cluster was started with. */
    public Config config() {
        return config;
    }

    /** How long {@link #start(Config)} took, formatting and readiness wait included. */
    public Duration startupTime() {
        return startupTime;
    }

    /** True if node {@code nodeId} is running. */
    public boolean isRunning(int nodeId) {
        return node(nodeId).isRunning();
    }

    /**
     * Stops node {@code nodeId} (broker and controller) with a controlled shutdown; its ports and data
     * are kept for {@link #startBroker(int)}. Stopping the only node of a single-node cluster makes
     * Kafka unavailable to clients. Idempotent.
     */
    public synchronized void stopBroker(int nodeId) {
        ensureOpen();
        if (!node(nodeId).isRunning()) {
            return;
        }
        long t0 = System.nanoTime();
        node(nodeId).stop();
        LOG.info("Kafka node {} stopped in {} ms", nodeId, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /**
     * Kills node {@code nodeId} with SIGKILL: no controlled shutdown, no flush, like a crashed machine; its ports and
     * data are kept for {@link #startBroker(int)}. Idempotent.
     *
     * @throws IllegalStateException unless the nodes run in their own processes ({@link Config#nodeProcesses()})
     */
    public synchronized void killBroker(int nodeId) {
        ensureOpen();
        node(nodeId).kill();
        LOG.info("Kafka node {} killed (SIGKILL)", nodeId);
    }

    /** Process id of node {@code nodeId} while it runs in its own process ({@link Config#nodeProcesses()}). */
    public OptionalLong brokerPid(int nodeId) {
        return node(nodeId).pid();
    }

    /**
     * Starts a stopped node again on the same ports with the same data and waits until it serves
     * clients. In a multi-node cluster whose controller majority is down, use {@link #restart()}:
     * a single node cannot start without a quorum. Idempotent.
     */
    public synchronized void startBroker(int nodeId) {
        ensureOpen();
        KafkaNode node = node(nodeId);
        if (node.isRunning()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            runOnNodes("promptq-kafka-start-", List.of(node), KafkaNode::start, config.startupTimeout());
            awaitBrokers(bootstrapOf(List.of(node)), runningCount(), config.startupTimeout());
        } catch (Exception e) {
            node.stop();
            throw new LocalClusterException("Kafka node " + nodeId + " did not start again on port "
                    + node.brokerPort() + ": " + e, e);
        }
        LOG.info("Kafka node {} started again at {}:{} in {} ms", nodeId, FreePorts.LOOPBACK_HOST, node.brokerPort(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Stops all nodes together, then starts them together with the same ports and data. */
    public synchronized void restart() {
        ensureOpen();
        long t0 = System.nanoTime();
        stopQuietly(nodes);
        try {
            runOnNodes("promptq-kafka-start-", nodes, KafkaNode::start, config.startupTimeout());
            awaitBrokers(bootstrapServers(), nodes.size(), config.startupTimeout());
        } catch (Exception e) {
            stopQuietly(nodes);
            throw new LocalClusterException("Kafka did not start again: " + e, e);
        }
        LOG.info("Kafka restarted ({} node(s)) in {} ms", nodes.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Stops every node (in parallel) and deletes the data directory. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            if (shutdownHook != null) {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
        } catch (IllegalStateException jvmIsShuttingDown) {
            // called from a shutdown hook: fine
        }
        shutdown();
    }

    private void closeFromHook() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        shutdown();
    }

    private void shutdown() {
        long t0 = System.nanoTime();
        stopQuietly(nodes);
        if (config.dataDir().isPresent()) {
            LOG.info("Kafka stopped in {} ms; data kept in {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), baseDir);
            return;
        }
        if (!Directories.deleteRecursively(baseDir)) {
            LOG.warn("could not delete all Kafka data under {}", baseDir);
        }
        LOG.info("Kafka stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + ", nodes=" + nodes.size() + "]";
    }

    private KafkaNode node(int nodeId) {
        if (nodeId < 0 || nodeId >= nodes.size()) {
            throw new IllegalArgumentException("nodeId must be between 0 and " + (nodes.size() - 1) + ", but was " + nodeId);
        }
        return nodes.get(nodeId);
    }

    private int runningCount() {
        return (int) nodes.stream().filter(KafkaNode::isRunning).count();
    }

    private synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("EmbeddedKafka " + bootstrapServers() + " is closed");
        }
    }

    private static List<KafkaNode> newNodes(Config config, Path baseDir) {
        int n = config.nodes();
        int[] brokerPorts = new int[n];
        int[] controllerPorts = new int[n];
        for (int i = 0; i < n; i++) {
            if (config.brokerPort() > 0) {
                brokerPorts[i] = config.brokerPort() + i;
                if (!FreePorts.isFree(brokerPorts[i])) {
                    throw new LocalClusterException("Kafka cannot use port " + brokerPorts[i] + " on "
                            + FreePorts.LOOPBACK_HOST + ": it is in use (configured brokerPort " + config.brokerPort() + ")");
                }
            } else {
                brokerPorts[i] = FreePorts.next();
            }
            controllerPorts[i] = FreePorts.next();
        }
        return KafkaNode.cluster(baseDir, brokerPorts, controllerPorts, config.defaultPartitions(), config.brokerProperties(),
                config.nodeProcesses());
    }

    private static String bootstrapOf(List<KafkaNode> nodes) {
        return nodes.stream().map(n -> FreePorts.LOOPBACK_HOST + ":" + n.brokerPort()).collect(Collectors.joining(","));
    }

    private static void runOnNodes(String prefix, List<KafkaNode> nodes, java.util.function.Consumer<KafkaNode> action,
                                   Duration timeout) throws Exception {
        List<SimultaneousTasks.Task> tasks = new ArrayList<>();
        for (KafkaNode node : nodes) {
            tasks.add(() -> action.accept(node));
        }
        SimultaneousTasks.runAll(prefix, tasks, timeout.toMillis());
    }

    private static void stopQuietly(List<KafkaNode> nodes) {
        try {
            runOnNodes("promptq-kafka-stop-", nodes, KafkaNode::stop, Duration.ofSeconds(60));
        } catch (Exception e) {
            LOG.warn("stopping Kafka nodes failed: {}", e.toString());
        }
    }

    /** Waits until the cluster reports at least {@code expected} unfenced brokers. */
    private static void awaitBrokers(String bootstrap, int expected, Duration timeout) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "promptq-local-readiness");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    var brokers = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3_000)).nodes().get();
                    if (brokers.size() >= expected) {
                        return;
                    }
                    last = new IllegalStateException("only " + brokers.size() + " of " + expected + " brokers are up: "
                            + brokers.stream().map(Node::idString).toList());
                } catch (ExecutionException e) {
                    last = e;
                }
                Thread.sleep(100);
            }
            throw new java.util.concurrent.TimeoutException("brokers at " + bootstrap + " not ready within "
                    + timeout.toMillis() + " ms" + (last == null ? "" : ": " + last));
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Address already in use") || message.contains("failed to bind"))) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (isBindFailure(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Immutable configuration of an {@link EmbeddedKafka}; create with {@link #builder()} or use
     * {@link #defaults()}.
     */
    public static final class Config {

        /** One combined broker+controller node. */
        public static final int DEFAULT_NODES = 1;
        /** Partitions of a topic created without an explicit count ({@code num.partitions}). */
        public static final int DEFAULT_PARTITIONS = 3;
        /** Most nodes supported in one JVM. */
        public static final int MAX_NODES = 9;
        /** How long start, restart and readiness may take. */
        public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

        private static final Config DEFAULTS = builder().build();

        private final int nodes;
        private final int defaultPartitions;
        private final Map<String, String> brokerProperties;
        private final Duration startupTimeout;
        private final int brokerPort;
        private final boolean shutdownHook;
        private final Path dataDir;
        private final boolean nodeProcesses;

        private Config(Builder b) {
            this.dataDir = b.dataDir;
            this.nodeProcesses = b.nodeProcesses;
            this.brokerPort = b.brokerPort;
            this.shutdownHook = b.shutdownHook;
            this.nodes = b.nodes;
            this.defaultPartitions = b.defaultPartitions;
            this.brokerProperties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.brokerProperties));
            this.startupTimeout = b.startupTimeout;
        }

        /** One node, {@value #DEFAULT_PARTITIONS} partitions per topic, no extra properties. */
        public static Config defaults() {
            return DEFAULTS;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** A builder pre-filled with this configuration. */
        public Builder toBuilder() {
            Builder b = new Builder().nodes(nodes).defaultPartitions(defaultPartitions).startupTimeout(startupTimeout)
                    .brokerPort(brokerPort).shutdownHook(shutdownHook).dataDir(dataDir).nodeProcesses(nodeProcesses);
            b.brokerProperties.putAll(brokerProperties);
            return b;
        }

        /**
         * Whether the cluster stops itself at JVM exit (default true). An owner that stops its own clients
         * first and then the cluster, in its own hook, turns it off so the broker does not vanish under them.
         */
        public boolean shutdownHook() {
            return shutdownHook;
        }

        /**
         * Whether each node runs in its own child JVM (default false: all in this JVM). Such a node stops cleanly on
         * SIGTERM, can be killed on its own ({@link EmbeddedKafka#killBroker(int)}, or by its pid from outside), and
         * dies with this JVM even if it is killed.
         */
        public boolean nodeProcesses() {
            return nodeProcesses;
        }

        /** Number of combined broker+controller nodes. */
        public int nodes() {
            return nodes;
        }

        /** Partition count of topics created without one. */
        public int defaultPartitions() {
            return defaultPartitions;
        }

        /** Broker properties applied on every node after the built-in ones (read-only). */
        public Map<String, String> brokerProperties() {
            return brokerProperties;
        }

        /** Limit for start-up, restart and readiness checks. */
        public Duration startupTimeout() {
            return startupTimeout;
        }

        /**
         * Client port of node 0 (node {@code i} uses {@code brokerPort + i}), or 0 for free ports
         * chosen at start-up (the default; tests should keep it).
         */
        public int brokerPort() {
            return brokerPort;
        }

        /**
         * The persistent data directory, if any: formatted on the first start and reused by later ones (same
         * cluster id, node ids and log directories), never deleted. Empty (the default): a temporary directory
         * that {@link EmbeddedKafka#close()} removes.
         */
        public Optional<Path> dataDir() {
            return Optional.ofNullable(dataDir);
        }

        /** Builder for {@link Config}; each setter checks its value. */
        public static final class Builder {
            private Path dataDir;
            private int nodes = DEFAULT_NODES;
            private int defaultPartitions = DEFAULT_PARTITIONS;
            private final Map<String, String> brokerProperties = new LinkedHashMap<>();
            private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
            private int brokerPort;
            private boolean shutdownHook = true;
            private boolean nodeProcesses;

            private Builder() {
            }

            /** See {@link Config#nodeProcesses()}. */
            public Builder nodeProcesses(boolean enabled) {
                this.nodeProcesses = enabled;
                return this;
            }

            /** See {@link Config#shutdownHook()}. */
            public Builder shutdownHook(boolean enabled) {
                this.shutdownHook = enabled;
                return this;
            }

            /**
             * A fixed client port for node 0 (node {@code i} gets {@code port + i}), e.g. 9092 for a
             * long-running local stack that other tools connect to; 0 (default) picks free ports.
             * Controller ports are always picked freely. A fixed port that is taken fails the start.
             */
            public Builder brokerPort(int port) {
                if (port < 0 || port > 65535 - MAX_NODES) {
                    throw new IllegalArgumentException("brokerPort must be 0 (free port) or between 1 and "
                            + (65535 - MAX_NODES) + ", but was " + port);
                }
                this.brokerPort = port;
                return this;
            }

            /** See {@link Config#dataDir()}; null (default) for a temporary directory. */
            public Builder dataDir(Path dir) {
                this.dataDir = dir == null ? null : dir.toAbsolutePath().normalize();
                return this;
            }

            /** Number of nodes, 1 to {@value #MAX_NODES}. */
            public Builder nodes(int nodes) {
                if (nodes < 1 || nodes > MAX_NODES) {
                    throw new IllegalArgumentException("nodes must be between 1 and " + MAX_NODES + ", but was " + nodes);
                }
                this.nodes = nodes;
                return this;
            }

            /** Default partitions per topic ({@code num.partitions}), at least 1. */
            public Builder defaultPartitions(int partitions) {
                if (partitions < 1) {
                    throw new IllegalArgumentException("defaultPartitions must be at least 1, but was " + partitions);
                }
                this.defaultPartitions = partitions;
                return this;
            }

            /**
             * An extra broker property, e.g. {@code log.retention.ms}. Applied after the built-in
             * properties, so it can override them; overriding listeners or node ids breaks the cluster.
             */
            public Builder brokerProperty(String key, String value) {
                if (key == null || key.isBlank()) {
                    throw new IllegalArgumentException("brokerProperty key must not be blank, but was '" + key + "'");
                }
                this.brokerProperties.put(key, Objects.requireNonNull(value, "value of broker property " + key));
                return this;
            }

            /** Several extra broker properties; see {@link #brokerProperty(String, String)}. */
            public Builder brokerProperties(Map<String, String> properties) {
                properties.forEach(this::brokerProperty);
                return this;
            }

            /** Limit for start-up and restart, positive. */
            public Builder startupTimeout(Duration timeout) {
                if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                    throw new IllegalArgumentException("startupTimeout must be positive, but was " + timeout);
                }
                this.startupTimeout = timeout;
                return this;
            }

            public Config build() {
                return new Config(this);
            }
        }
    }
}
