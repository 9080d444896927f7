package io.promptq.local.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One combined broker+controller KRaft node: its properties, its storage directory and its current
 * {@link KafkaRaftServer} in this JVM, or, when it {@linkplain #ownProcess() runs in its own process}, its child JVM
 * ({@link KafkaNodeMain}), which SIGTERM stops cleanly and SIGKILL kills like a real broker. A stopped node can be
 * started again with the same ports and data (a new server instance or process each time).
 */
public final class KafkaNode {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

    /** Listener clients and other brokers use. */
    public static final String BROKER_LISTENER = "PLAINTEXT";
    /** Listener of the KRaft controller quorum. */
    public static final String CONTROLLER_LISTENER = "CONTROLLER";

    // Broker property keys. Kafka keeps these constants in several server-side modules
    // (ServerConfigs, KRaftConfigs, GroupCoordinatorConfig, ...); they are listed once here.
    static final String PROCESS_ROLES = "process.roles";
    static final String NODE_ID = "node.id";
    static final String QUORUM_VOTERS = "controller.quorum.voters";
    static final String LISTENERS = "listeners";
    static final String ADVERTISED_LISTENERS = "advertised.listeners";
    static final String LISTENER_PROTOCOLS = "listener.security.protocol.map";
    static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    static final String INTER_BROKER_LISTENER = "inter.broker.listener.name";
    static final String LOG_DIRS = "log.dirs";
    static final String NUM_PARTITIONS = "num.partitions";
    static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    static final String AUTO_CREATE_TOPICS = "auto.create.topics.enable";
    static final String OFFSETS_RF = "offsets.topic.replication.factor";
    static final String OFFSETS_PARTITIONS = "offsets.topic.num.partitions";
    static final String TXN_RF = "transaction.state.log.replication.factor";
    static final String TXN_MIN_ISR = "transaction.state.log.min.isr";
    static final String TXN_PARTITIONS = "transaction.state.log.num.partitions";
    static final String SHARE_STATE_RF = "share.coordinator.state.topic.replication.factor";
    static final String SHARE_STATE_MIN_ISR = "share.coordinator.state.topic.min.isr";
    static final String SHARE_STATE_PARTITIONS = "share.coordinator.state.topic.num.partitions";
    static final String INITIAL_REBALANCE_DELAY = "group.initial.rebalance.delay.ms";
    static final String HEARTBEAT_INTERVAL = "broker.heartbeat.interval.ms";
    static final String CONSUMER_GROUP_HEARTBEAT = "group.consumer.heartbeat.interval.ms";
    static final String CONSUMER_GROUP_MIN_HEARTBEAT = "group.consumer.min.heartbeat.interval.ms";
    static final String SESSION_TIMEOUT = "broker.session.timeout.ms";
    static final String MAX_STARTUP_TIME = "server.max.startup.time.ms";
    static final String NETWORK_THREADS = "num.network.threads";
    static final String IO_THREADS = "num.io.threads";
    static final String CLEANER_DEDUPE_BUFFER = "log.cleaner.dedupe.buffer.size";

    /** Printed by {@link KafkaNodeMain} once its node serves, followed by the node id. */
    static final String STARTED_LINE = "promptq kafka node started: ";
    /** A cap only: the caller bounds a start with its own timeout (it interrupts the wait). */
    private static final Duration PROCESS_START_TIMEOUT = Duration.ofMinutes(10);
    /** How long a SIGTERMed node process may take for its controlled shutdown before it is killed. */
    private static final Duration PROCESS_STOP_GRACE = Duration.ofSeconds(60);

    private final int nodeId;
    private final int brokerPort;
    private final int controllerPort;
    private final Path dataDir;
    private final Map<String, String> properties;
    private final boolean ownProcess;
    private KafkaRaftServer server;
    private Process process;

    private KafkaNode(int nodeId, int brokerPort, int controllerPort, Path dataDir, Map<String, String> properties,
                      boolean ownProcess) {
        this.nodeId = nodeId;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir;
        this.properties = Map.copyOf(properties);
        this.ownProcess = ownProcess;
    }

    /**
     * Describes the nodes of a cluster of {@code brokerPorts.length} combined nodes.
     *
     * @param baseDir directory under which each node gets {@code node-<id>}
     * @param brokerPorts client port per node
     * @param controllerPorts controller port per node
     * @param defaultPartitions {@code num.partitions}
     * @param extra broker properties applied last, on every node
     * @param ownProcess whether each node runs in its own child JVM
     */
    public static List<KafkaNode> cluster(Path baseDir, int[] brokerPorts, int[] controllerPorts,
                                          int defaultPartitions, Map<String, String> extra, boolean ownProcess) {
        int size = brokerPorts.length;
        String voters = IntStream.range(0, size)
                .mapToObj(i -> i + "@" + FreePorts.LOOPBACK_HOST + ":" + controllerPorts[i])
                .collect(Collectors.joining(","));
        int replication = Math.min(size, 3);
        int minIsr = Math.max(1, Math.min(size - 1, 2));
        return IntStream.range(0, size).mapToObj(i -> {
            Path dir = baseDir.resolve("node-" + i);
            Map<String, String> p = new LinkedHashMap<>();
            p.put(PROCESS_ROLES, "broker,controller");
            p.put(NODE_ID, Integer.toString(i));
            p.put(QUORUM_VOTERS, voters);
            p.put(LISTENERS, BROKER_LISTENER + "://" + FreePorts.LOOPBACK_HOST + ":" + brokerPorts[i]
                    + "," + CONTROLLER_LISTENER + "://" + FreePorts.LOOPBACK_HOST + ":" + controllerPorts[i]);
            p.put(ADVERTISED_LISTENERS, BROKER_LISTENER + "://" + FreePorts.LOOPBACK_HOST + ":" + brokerPorts[i]);
            p.put(LISTENER_PROTOCOLS, BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
            p.put(CONTROLLER_LISTENER_NAMES, CONTROLLER_LISTENER);
            p.put(INTER_BROKER_LISTENER, BROKER_LISTENER);
            p.put(LOG_DIRS, dir.toAbsolutePath().toString());
            p.put(NUM_PARTITIONS, Integer.toString(defaultPartitions));
            p.put(DEFAULT_REPLICATION_FACTOR, Integer.toString(replication));
            p.put(MIN_INSYNC_REPLICAS, "1");
            // Topics are created explicitly (services, Admin, LocalCluster.createTopics). With
            // auto-creation off, a typo in a topic name fails fast instead of creating a new topic.
            p.put(AUTO_CREATE_TOPICS, "false");
            p.put(OFFSETS_RF, Integer.toString(replication));
            p.put(OFFSETS_PARTITIONS, "5");
            p.put(TXN_RF, Integer.toString(replication));
            p.put(TXN_MIN_ISR, Integer.toString(minIsr));
            p.put(TXN_PARTITIONS, "5");
            p.put(SHARE_STATE_RF, Integer.toString(replication));
            p.put(SHARE_STATE_MIN_ISR, Integer.toString(minIsr));
            p.put(SHARE_STATE_PARTITIONS, "5");
            p.put(INITIAL_REBALANCE_DELAY, "0");
            p.put(HEARTBEAT_INTERVAL, "500");
            // Kafka's default: a shorter session fences a broker whose JVM is merely busy (GC, a loaded machine).
            p.put(SESSION_TIMEOUT, "9000");
            // KIP-848 groups learn of new assignments on their next heartbeat (default 5 s): a local
            // cluster hands partitions over within half a second instead.
            p.put(CONSUMER_GROUP_MIN_HEARTBEAT, "500");
            p.put(CONSUMER_GROUP_HEARTBEAT, "500");
            p.put(MAX_STARTUP_TIME, "60000");
            p.put(NETWORK_THREADS, "2");
            p.put(IO_THREADS, "4");
            p.put(CLEANER_DEDUPE_BUFFER, Integer.toString(2 * 1024 * 1024));
            p.putAll(extra);
            return new KafkaNode(i, brokerPorts[i], controllerPorts[i], dir, p, ownProcess);
        }).toList();
    }

    public int nodeId() {
        return nodeId;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** True if this node runs in its own child JVM rather than in this one. */
    public boolean ownProcess() {
        return ownProcess;
    }

    /** Process id of the node's JVM while it runs in its own process. */
    public synchronized OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    /** The broker properties of this node (read-only). */
    public Map<String, String> properties() {
        return properties;
    }

    /** Formats the storage directory like {@code kafka-storage.sh format} with a static quorum. */
    public void format(String clusterId) throws Exception {
        Files.createDirectories(dataDir);
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setDirectories(List.of(dataDir.toAbsolutePath().toString()))
                .setMetadataLogDirectory(dataDir.toAbsolutePath().toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .run();
    }

    /**
     * Starts the node; in this JVM it blocks until its broker is unfenced, in its own process until the process
     * reports the server started (or start-up fails).
     */
    public synchronized void start() {
        if (ownProcess) {
            startProcess();
            return;
        }
        if (server != null) {
            return;
        }
        KafkaRaftServer created = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        try {
            created.startup();
            server = created;
        } catch (RuntimeException | Error e) {
            try {
                created.shutdown();
                created.awaitShutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Stops the node (controlled shutdown; SIGTERM for a node in its own process, SIGKILL only if it has not exited
     * after a minute) and waits until it is gone; idempotent.
     */
    public synchronized void stop() {
        if (ownProcess) {
            stopProcess(false);
            return;
        }
        KafkaRaftServer running = server;
        server = null;
        if (running == null) {
            return;
        }
        try {
            running.shutdown();
            running.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka node {} did not shut down cleanly: {}", nodeId, e.toString());
        }
    }

    /**
     * Kills the node's process with SIGKILL (no shutdown at all, like a crashed machine) and waits until it is gone;
     * idempotent.
     *
     * @throws IllegalStateException if the node runs in this JVM
     */
    public synchronized void kill() {
        if (!ownProcess) {
            throw new IllegalStateException("Kafka node " + nodeId + " runs in this JVM and cannot be killed on its own");
        }
        stopProcess(true);
    }

    public synchronized boolean isRunning() {
        return ownProcess ? process != null && process.isAlive() : server != null;
    }

    private void startProcess() {
        if (process != null && process.isAlive()) {
            return;
        }
        Path base = dataDir.getParent();
        Path propertiesFile = base.resolve("node-" + nodeId + ".properties");
        Path log = base.resolve("node-" + nodeId + ".log");
        try {
            Properties p = new Properties();
            p.putAll(properties);
            try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                p.store(out, "Kafka node " + nodeId + " of a promptq local cluster");
            }
            Path argFile = base.resolve("node-" + nodeId + ".args");
            String cp = System.getProperty("java.class.path");
            Files.writeString(argFile, "-cp\n\"" + cp.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-Dpromptq.kafka.node=" + nodeId,
                    "@" + argFile, ParentWatchdog.class.getName(), KafkaNodeMain.class.getName(), propertiesFile.toString());
            long logStart = Files.exists(log) ? Files.size(log) : 0;
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            process.getOutputStream().close();
            awaitStarted(log, logStart);
        } catch (IOException e) {
            stopProcess(true);
            throw new UncheckedIOException("cannot start Kafka node " + nodeId + " as a process", e);
        } catch (RuntimeException e) {
            stopProcess(true);
            throw e;
        }
        LOG.info("Kafka node {} runs as process {} (log {})", nodeId, process.pid(), log);
    }

    private void awaitStarted(Path log, long from) throws IOException {
        long deadline = System.nanoTime() + PROCESS_START_TIMEOUT.toNanos();
        String started = STARTED_LINE + nodeId;
        while (System.nanoTime() < deadline) {
            if (newText(log, from).contains(started)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka node " + nodeId + " exited with " + process.exitValue()
                        + " while starting; see " + log + ":\n" + tail(newText(log, from)));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Kafka node " + nodeId + " starts", e);
            }
        }
        throw new IllegalStateException("Kafka node " + nodeId + " did not start within " + PROCESS_START_TIMEOUT.toSeconds()
                + " s; see " + log + ":\n" + tail(newText(log, from)));
    }

    private static String newText(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        int start = (int) Math.min(from, all.length);
        return new String(all, start, all.length - start, StandardCharsets.UTF_8);
    }

    private static String tail(String text) {
        return text.length() <= 4_000 ? text : text.substring(text.length() - 4_000);
    }

    private void stopProcess(boolean kill) {
        Process running = process;
        process = null;
        if (running == null) {
            return;
        }
        try {
            if (kill) {
                running.destroyForcibly();
            } else {
                running.destroy();
                if (!running.waitFor(PROCESS_STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Kafka node {} (process {}) did not stop within {} s of SIGTERM: killing it", nodeId,
                            running.pid(), PROCESS_STOP_GRACE.toSeconds());
                    running.destroyForcibly();
                }
            }
            running.waitFor();
        } catch (InterruptedException e) {
            running.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
