package io.promptq.cli;

import io.promptq.kafka.KafkaSettings;
import io.promptq.local.EmbeddedKafka;
import io.promptq.local.LocalCluster;
import io.promptq.local.LocalSchemaRegistry;
import io.promptq.topic.SchemaRegistryKeys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A long-lived local Kafka (KRaft) cluster and schema registry on 127.0.0.1 for services run as their own processes.
 * Data (topics, committed offsets, schemas) lives in {@code --data-dir} and survives a restart; ports are fixed so a
 * pasted env snippet stays valid. With 3 brokers each broker is its own JVM (pid printed at start): while it runs,
 * {@code stop N} (SIGTERM, clean), {@code kill N} (SIGKILL) and {@code start N} on standard input stop, kill and start
 * broker N on its own; a whole-cluster stop sends SIGTERM to every broker, so a restart finds clean logs.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Run a local Kafka cluster and schema registry until Ctrl-C, keeping their data across restarts.")
public final class ClusterCommand implements Callable<Integer> {

    /** Printed once the cluster and the registry serve clients. */
    static final String READY_LINE = "promptq cluster is up.";

    @Spec
    CommandSpec spec;

    @Option(names = "--brokers", defaultValue = "1", description = "Kafka brokers: 1 or 3 (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--data-dir", defaultValue = ".promptq/cluster",
            description = "Directory of Kafka's logs and the registry's database, reused on restart (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092",
            description = "Client port of broker 0; broker N uses port+N (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--registry-port", defaultValue = "8081", description = "Schema registry port (default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Override
    public Integer call() throws Exception {
        if (brokers != 1 && brokers != 3) {
            throw new IllegalArgumentException("--brokers must be 1 or 3, but was " + brokers);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = dataDir.toAbsolutePath().normalize();
        out.println("Starting Kafka (" + brokers + " broker" + (brokers == 1 ? "" : "s") + ") and the schema registry, data in "
                + dir + " ...");
        out.flush();
        LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder()
                .brokers(brokers)
                .kafkaPort(kafkaPort)
                .kafkaDataDir(dir.resolve("kafka"))
                .kafkaShutdownHook(false)
                .kafkaNodeProcesses(brokers > 1)
                .startupTimeout(java.time.Duration.ofMinutes(5)) // broker JVMs on a busy machine can take minutes
                .registryConfig(LocalSchemaRegistry.Config.builder()
                        .port(registryPort)
                        .storageDir(dir.resolve("registry"))
                        .build())
                .build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("\nStopping the cluster (data kept in " + dir + ") ...");
            out.flush();
            cluster.close();
            stopped.countDown();
        }, "promptq-cluster-stop"));
        out.println();
        out.println(READY_LINE + " Ctrl-C stops it; its data stays in " + dir + ".");
        out.println("  Kafka bootstrap    " + cluster.bootstrapServers());
        out.println("  Schema registry    " + cluster.schemaRegistryUrl());
        out.println();
        out.println("Point services at it (paste into their shell):");
        envSnippet(cluster.bootstrapServers(), cluster.schemaRegistryUrl()).forEach(line -> out.println("  " + line));
        if (brokers > 1) {
            out.println();
            for (int node = 0; node < brokers; node++) {
                out.println("  Broker " + node + "  127.0.0.1:" + cluster.kafka().brokerPort(node) + pid(cluster.kafka(), node));
            }
            out.println("Type 'stop N' (SIGTERM, clean), 'kill N' (SIGKILL) or 'start N' (N = 0.." + (brokers - 1)
                    + ") and Enter to stop, kill or start one broker.");
        }
        out.flush();
        Thread.ofPlatform().daemon(true).name("promptq-cluster-console").start(() -> console(cluster.kafka(), out));
        stopped.await();
        return 0;
    }

    /** One {@code export KEY=value} line per setting a service needs to use this cluster. */
    static List<String> envSnippet(String bootstrapServers, String schemaRegistryUrl) {
        return List.of(
                "export " + KafkaSettings.BOOTSTRAP_SERVERS.name() + "=" + bootstrapServers,
                "export " + SchemaRegistryKeys.URL.name() + "=" + schemaRegistryUrl);
    }

    /** Reads {@code stop N} / {@code kill N} / {@code start N} commands from standard input until it ends. */
    private static void console(EmbeddedKafka kafka, PrintWriter out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.println(command(kafka, line.strip()));
                    out.flush();
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // standard input closed or unusable: the cluster keeps running until it is stopped
        }
    }

    /** Runs one console command on {@code kafka} and returns what to print. */
    static String command(EmbeddedKafka kafka, String line) {
        String[] words = line.split("\\s+");
        if (words.length != 2 || !List.of("stop", "kill", "start").contains(words[0])) {
            return "Unknown command '" + line + "': use 'stop N', 'kill N' or 'start N'.";
        }
        try {
            int node = Integer.parseInt(words[1]);
            switch (words[0]) {
                case "stop" -> kafka.stopBroker(node);
                case "kill" -> kafka.killBroker(node);
                default -> kafka.startBroker(node);
            }
            return switch (words[0]) {
                case "stop" -> "Broker " + node + " stopped.";
                case "kill" -> "Broker " + node + " killed (SIGKILL).";
                default -> "Broker " + node + " started (port " + kafka.brokerPort(node) + pid(kafka, node) + ").";
            };
        } catch (RuntimeException e) {
            return "Cannot " + line + ": " + e.getMessage();
        }
    }

    private static String pid(EmbeddedKafka kafka, int node) {
        return kafka.brokerPid(node).stream().mapToObj(pid -> ", pid " + pid).findFirst().orElse("");
    }
}
