package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.promptq.local.internal.FreePorts;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {

    private static final String SCHEMA_V1 =
            "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Job\\\",\\\"namespace\\\":\\\"io.promptq.it\\\","
            + "\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"string\\\"}]}\"}";
    private static final String SCHEMA_INCOMPATIBLE =
            "{\"schema\": \"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"Job\\\",\\\"namespace\\\":\\\"io.promptq.it\\\","
            + "\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

    private static LocalCluster cluster;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startCluster() {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
    }

    @AfterAll
    static void closeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void brokerAcceptsProduceAndConsumeOnLoopback() throws Exception {
        cluster.createTopics(3, "lc-it-roundtrip");
        assertThat(cluster.bootstrapServers()).startsWith("127.0.0.1:");

        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 10; i++) {
                RecordMetadata md = producer.send(new ProducerRecord<>("lc-it-roundtrip", "k" + i, "v" + i)).get();
                assertThat(md.offset()).isGreaterThanOrEqualTo(0);
            }
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "lc-it",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("lc-it-roundtrip"));
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            assertThat(values).hasSize(10).contains("v0", "v9");
        }
    }

    @Test
    @Order(2)
    void createTopicsIsIdempotentAndTopicsAreNotAutoCreated() throws Exception {
        cluster.createTopics(2, "lc-it-idem");
        cluster.createTopics(5, "lc-it-idem", "lc-it-idem-2");

        var described = cluster.admin().describeTopics(List.of("lc-it-idem", "lc-it-idem-2")).allTopicNames().get();
        assertThat(described.get("lc-it-idem").partitions()).hasSize(2);
        assertThat(described.get("lc-it-idem-2").partitions()).hasSize(5);
        assertThat(cluster.admin().listTopics().names().get()).doesNotContain("lc-it-never-created");
    }

    @Test
    @Order(3)
    void registryAnswersTheConfluentApi() throws Exception {
        String url = cluster.schemaRegistryUrl();
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/apis/ccompat/v7");

        HttpResponse<String> registered = post(url + "/subjects/x-value/versions", SCHEMA_V1);
        assertThat(registered.statusCode()).isEqualTo(200);
        int id = Integer.parseInt(registered.body().replaceAll("\\D+", ""));

        HttpResponse<String> again = post(url + "/subjects/x-value/versions", SCHEMA_V1);
        assertThat(again.body()).isEqualTo(registered.body());

        HttpResponse<String> byId = get(url + "/schemas/ids/" + id);
        assertThat(byId.statusCode()).isEqualTo(200);
        assertThat(byId.body()).contains("io.promptq.it").contains("Job");

        assertThat(post(url + "/subjects/x-value/versions", SCHEMA_INCOMPATIBLE).statusCode()).isEqualTo(409);
        assertThat(get(url + "/schemas/ids/987654").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(4)
    void serversListenOnLoopbackOnly() throws Exception {
        Optional<InetAddress> external = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(nic -> { try { return nic.isUp() && !nic.isLoopback(); } catch (Exception e) { return false; } })
                .flatMap(nic -> Collections.list(nic.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address)
                .findFirst();
        org.junit.jupiter.api.Assumptions.assumeTrue(external.isPresent(), "no non-loopback IPv4 address to probe");
        int brokerPort = cluster.kafka().brokerPort(0);
        int registryPort = cluster.schemaRegistry().orElseThrow().port();
        for (int port : new int[] {brokerPort, cluster.kafka().controllerPort(0), registryPort}) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(external.get(), port), 1_000);
                throw new AssertionError("port " + port + " answers on " + external.get());
            } catch (ConnectException expected) {
                // refused: only bound to 127.0.0.1
            }
        }
    }

    @Test
    @Order(100)
    void closeFreesEveryPortAndEndsTheRegistryProcess() {
        int brokerPort = cluster.kafka().brokerPort(0);
        int controllerPort = cluster.kafka().controllerPort(0);
        LocalSchemaRegistry registry = cluster.schemaRegistry().orElseThrow();
        int registryPort = registry.port();
        ProcessHandle process = registry.process();
        assertThat(process.isAlive()).isTrue();

        cluster.close();

        assertThat(process.isAlive()).as("registry process %d alive after close", process.pid()).isFalse();
        assertThat(ProcessHandle.current().descendants().filter(p -> p.pid() == process.pid())).isEmpty();
        assertThat(FreePorts.isFree(brokerPort)).as("broker port free").isTrue();
        assertThat(FreePorts.isFree(controllerPort)).as("controller port free").isTrue();
        assertThat(FreePorts.isFree(registryPort)).as("registry port free").isTrue();
    }

    private static HttpResponse<String> post(String url, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
