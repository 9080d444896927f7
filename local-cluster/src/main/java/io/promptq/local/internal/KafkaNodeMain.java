package io.promptq.local.internal;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;

/**
 * Entry point of a {@link KafkaNode} run as its own JVM (started through {@link ParentWatchdog}, so it dies with its
 * parent): one combined broker+controller node from a properties file, stopped cleanly by SIGTERM (a shutdown hook
 * runs Kafka's controlled shutdown) and killable on its own with SIGKILL, like a broker of a real cluster.
 *
 * <p>Arguments: {@code <broker properties file>}.
 */
public final class KafkaNodeMain {

    private KafkaNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: KafkaNodeMain <broker properties file>");
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "promptq-kafka-node-stop"));
        try {
            server.startup();
        } catch (RuntimeException | Error e) {
            e.printStackTrace();
            Runtime.getRuntime().halt(1); // a half-started node: the parent sees the exit and reports the log
        }
        System.out.println(KafkaNode.STARTED_LINE + properties.getProperty(KafkaNode.NODE_ID));
        server.awaitShutdown();
    }
}
