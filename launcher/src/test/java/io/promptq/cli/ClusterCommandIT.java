package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.local.LocalCluster;
import io.promptq.registry.AvroSerdes;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.testkit.JvmProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code promptq cluster} as its own process: with 3 brokers, each broker is its own JVM that {@code kill N} really
 * kills (its pid ends, the other two keep serving) and {@code start N} replaces with a new JVM on its own data; after
 * a SIGTERM and a restart on the same data directory, it is the same cluster (same id) and the topic, its records, a
 * group's committed offsets and the schema id written in the record are all still there, and the record still
 * decodes through the restarted registry. (This also proves what {@code local-cluster}'s former EmbeddedKafkaDataDirIT
 * proved, through the same EmbeddedKafka code, so that test is gone.)
 */
class ClusterCommandIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    private static final String TOPIC = "promptq.cluster-it";
    private static final String GROUP = "cluster-it-group";
    private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

    @Test
    void topicOffsetsAndSchemaIdsSurviveARestartOnTheSameDataDirectory(@TempDir Path tmp) throws Exception {
        Path dataDir = tmp.resolve("data");
        int kafkaPort = freePort();
        int registryPort = freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        String registryUrl = "http://127.0.0.1:" + registryPort + "/apis/ccompat/v7";
        IdempotencyEntry sent = IdempotencyEntry.newBuilder().setJobId("job-1").setTenant("acme").setIdempotencyKey("k-1")
                .setPayloadHash(ByteBuffer.wrap(new byte[32])).setAcceptedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setPartition(0).setOffset(7L).build();

        int schemaId;
        try (JvmProcess cluster = startCluster(tmp, "cluster-it-1", dataDir, kafkaPort, registryPort)) {
            assertThat(cluster.log()).contains("export PROMPTQ_KAFKA_BOOTSTRAP_SERVERS=" + bootstrap,
                    "export PROMPTQ_SCHEMA_REGISTRY_URL=" + registryUrl);
            try (Admin admin = admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            }
            try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(registryUrl));
                 KafkaProducer<String, IdempotencyEntry> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                         new StringSerializer(), AvroSerdes.specific(IdempotencyEntry.class, registry, true).serializer())) {
                producer.send(new ProducerRecord<>(TOPIC, "job-1", sent)).get();
                producer.send(new ProducerRecord<>(TOPIC, "job-2", sent)).get();
            }
            try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
                consumer.assign(List.of(PARTITION));
                consumer.seekToBeginning(List.of(PARTITION));
                ConsumerRecord<String, byte[]> first = pollOne(consumer);
                schemaId = ByteBuffer.wrap(first.value(), 1, 4).getInt();
                consumer.commitSync(Map.of(PARTITION, new OffsetAndMetadata(first.offset() + 1)));
            }

            assertThat(cluster.stop(Duration.ofSeconds(60))).as(cluster.log()).isIn(0, JvmProcess.SIGTERM_EXIT);
            assertThat(cluster.log()).contains("Stopping the cluster");
        }

        try (JvmProcess cluster = startCluster(tmp, "cluster-it-2", dataDir, kafkaPort, registryPort);
             Admin admin = admin(bootstrap);
             SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(registryUrl))) {
            assertThat(admin.listTopics().names().get()).contains(TOPIC);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            assertThat(committed.get(PARTITION).offset()).isEqualTo(1L);

            assertThat(registry.schemaById(schemaId)).isEqualTo(IdempotencyEntry.getClassSchema());
            assertThat(registry.idOf(AvroSerdes.subjectName(TOPIC, false), IdempotencyEntry.getClassSchema()))
                    .isEqualTo(schemaId);
            try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap)) {
                consumer.subscribe(List.of(TOPIC));
                ConsumerRecord<String, byte[]> next = pollOne(consumer);
                assertThat(next.offset()).as("the group resumes after its committed offset").isEqualTo(1L);
                IdempotencyEntry decoded = AvroSerdes.specific(IdempotencyEntry.class, registry, false).deserializer()
                        .deserialize(TOPIC, next.value());
                assertThat(decoded).isEqualTo(sent);
            }
            assertThat(cluster.stop(Duration.ofSeconds(60))).as(cluster.log()).isIn(0, JvmProcess.SIGTERM_EXIT);
        }
    }

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void aBrokerOfThreeIsItsOwnProcessThatKillAndStartReplaceAndTheClusterRestartsWholeOnItsDataDirectory(@TempDir Path tmp)
            throws Exception {
        Path dataDir = tmp.resolve("data");
        int kafkaPort = freePort(3);
        int registryPort = freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort + ",127.0.0.1:" + (kafkaPort + 1) + ",127.0.0.1:" + (kafkaPort + 2);
        String clusterId;
        try (JvmProcess cluster = startCluster(tmp, "cluster3-it-1", dataDir, kafkaPort, registryPort, "--brokers", "3");
             Admin admin = admin(bootstrap)) {
            long[] pids = new long[3];
            cluster.awaitLog("Broker 2  127.0.0.1:", Duration.ofSeconds(30)); // the broker lines follow the exports
            for (int node = 0; node < 3; node++) {
                pids[node] = brokerPid(cluster.log(), node);
                assertThat(ProcessHandle.of(pids[node]).map(ProcessHandle::isAlive)).as("broker %d's JVM", node).contains(true);
            }
            assertThat(pids).doesNotHaveDuplicates().doesNotContain(cluster.pid());
            clusterId = admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
            LocalCluster.createTopics(admin, List.of(new NewTopic(TOPIC, 1, (short) 3)), Duration.ofSeconds(30));
            sendStrings(bootstrap, "v1");

            cluster.sendLine("kill 1");
            cluster.awaitLog("Broker 1 killed (SIGKILL).", Duration.ofSeconds(30));
            assertThat(ProcessHandle.of(pids[1]).map(ProcessHandle::isAlive).orElse(false)).as("broker 1 is gone").isFalse();
            assertThat(ProcessHandle.of(pids[0]).map(ProcessHandle::isAlive)).as("broker 0 lives on").contains(true);
            sendStrings(bootstrap, "v2");
            cluster.sendLine("start 1");
            cluster.awaitLog("Broker 1 started", START_TIMEOUT);
            long restarted = startedPid(cluster.log(), 1);
            assertThat(restarted).as("broker 1's new JVM").isNotEqualTo(pids[1]);
            assertThat(ProcessHandle.of(restarted).map(ProcessHandle::isAlive)).as("broker 1's new JVM").contains(true);
            sendStrings(bootstrap, "v3");
            admin.alterConsumerGroupOffsets(GROUP, Map.of(PARTITION, new OffsetAndMetadata(2))).all().get(30, TimeUnit.SECONDS);

            assertThat(cluster.stop(Duration.ofSeconds(90))).as(cluster.log()).isIn(0, JvmProcess.SIGTERM_EXIT);
            for (long pid : pids) {
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            }
        }

        try (JvmProcess cluster = startCluster(tmp, "cluster3-it-2", dataDir, kafkaPort, registryPort, "--brokers", "3");
             Admin admin = admin(bootstrap)) {
            assertThat(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS)).as("the same cluster").isEqualTo(clusterId);
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(TOPIC);
            assertThat(admin.listOffsets(Map.of(PARTITION, OffsetSpec.latest())).partitionResult(PARTITION)
                    .get(30, TimeUnit.SECONDS).offset()).isEqualTo(3L);
            assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .get(PARTITION).offset()).isEqualTo(2L);
            assertThat(cluster.stop(Duration.ofSeconds(90))).as(cluster.log()).isIn(0, JvmProcess.SIGTERM_EXIT);
        }
    }

    private static long brokerPid(String log, int node) {
        Matcher m = Pattern.compile("Broker " + node + " +127\\.0\\.0\\.1:\\d+, pid (\\d+)").matcher(log);
        assertThat(m.find()).as("pid of broker %d in %s", node, log).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long startedPid(String log, int node) {
        Matcher m = Pattern.compile("Broker " + node + " started \\(port \\d+, pid (\\d+)\\)").matcher(log);
        assertThat(m.find()).as("new pid of broker %d in %s", node, log).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static void sendStrings(String bootstrap, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, "k", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static JvmProcess startCluster(Path tmp, String name, Path dataDir, int kafkaPort, int registryPort,
                                           String... extraArgs) throws Exception {
        JvmProcess cluster = JvmProcess.builder(PromptqCli.class.getName())
                .name(name)
                .jvmArgs("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .env(Map.of("PROMPTQ_LOG_DIR", tmp.resolve("logs").toString()))
                .args("cluster", "--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(kafkaPort),
                        "--registry-port", Integer.toString(registryPort))
                .args(extraArgs)
                .stdin()
                .start();
        try {
            cluster.awaitLog(ClusterCommand.READY_LINE, START_TIMEOUT);
            cluster.awaitLog("export PROMPTQ_SCHEMA_REGISTRY_URL", Duration.ofSeconds(5));
            return cluster;
        } catch (Throwable e) {
            cluster.close();
            throw e;
        }
    }

    private static ConsumerRecord<String, byte[]> pollOne(KafkaConsumer<String, byte[]> consumer) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
            if (!records.isEmpty()) {
                return records.iterator().next();
            }
        }
        throw new AssertionError("no record within 30 s");
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, GROUP,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code count} consecutive free ports. */
    private static int freePort(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int first = freePort();
            if (first + count > 65_535) {
                continue;
            }
            boolean free = true;
            for (int p = first + 1; p < first + count && free; p++) {
                try (ServerSocket socket = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    free = socket.getLocalPort() == p;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }
}
