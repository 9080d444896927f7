package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.ResultDeserializationHandler;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.AvroSerializer;
import io.promptq.schema.JobResult;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aggregator with its schema registry behind a proxy that can answer 503 or 401: a result written with a schema
 * id the aggregator has not seen waits for the registry and is counted once it is back; only garbage is skipped,
 * counted and dead-lettered.
 */
@PromptqCluster
class RegistryOutageIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void aResultWithANewSchemaIdWaitsForAnUnavailableRegistryAndIsCountedOnceItIsBack(ClusterInfo cluster)
            throws Exception {
        try (ItSupport it = new ItSupport(cluster); RegistryProxy proxy = new RegistryProxy(cluster.schemaRegistryUrl());
                KafkaProducer<String, byte[]> raw = new KafkaProducer<>(
                        KafkaSettings.of(cluster.bootstrapServers()).producerConfig(UniqueNames.of("raw")),
                        new StringSerializer(), new ByteArraySerializer())) {
            Map<String, String> env = it.environment("agg-registry-" + it.suffix, tmp.resolve("a"));
            env.put(SchemaRegistryKeys.URL.name(), proxy.url());
            // The failed stream thread's member leaves the group after this session timeout, not the default 45 s.
            env.put(KafkaSettings.PREFIX + "STREAMS_SESSION_TIMEOUT_MS", "6000");
            env.put(KafkaSettings.PREFIX + "STREAMS_HEARTBEAT_INTERVAL_MS", "1000");
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            AggregatorConfig config = AggregatorConfig.from(ConfigSource.of(env));
            try (AggregatorService aggregator = AggregatorService.start(config, meters);
                    AggregatorClient client = AggregatorClient.create(aggregator.url().toString())) {
                aggregator.awaitRunning(TIMEOUT);
                it.publish(List.of(Results.succeeded("before", "gpt", "acme", Instant.now())));
                await().atMost(TIMEOUT).ignoreExceptions().until(() -> aggregator.totals().getTotal() == 1);

                proxy.answer(503);
                byte[] newSchema = withNewSchemaId(it, Results.succeeded("during-outage", "gpt", "acme", Instant.now()));
                raw.send(new ProducerRecord<>(it.names.results(), "during-outage", newSchema)).get();
                Thread.sleep(4_000);
                proxy.answer(401);
                await().atMost(TIMEOUT).until(() -> !client.isReady());
                Thread.sleep(8_000); // longer than the in-place wait: the stream thread fails and is replaced
                assertThat(counter(meters, "corrupt")).isZero();

                proxy.answer(0);
                await().atMost(TIMEOUT).ignoreExceptions().until(() -> aggregator.totals().getTotal() == 2);
                assertThat(aggregator.jobResult("during-outage")).isPresent();
                assertThat(counter(meters, "corrupt")).isZero();
                await().atMost(TIMEOUT).ignoreExceptions().until(client::isReady);

                raw.send(new ProducerRecord<>(it.names.results(), "garbage", new byte[] {7, 1, 2, 3})).get();
                it.publish(List.of(Results.succeeded("after", "gpt", "acme", Instant.now())));
                await().atMost(TIMEOUT).ignoreExceptions().until(() -> aggregator.totals().getTotal() == 3);
                assertThat(counter(meters, "corrupt")).isEqualTo(1);
                ConsumerRecord<byte[], byte[]> dead = readOne(cluster, config.deadLetterTopic());
                assertThat(dead.key()).isEqualTo("garbage".getBytes(StandardCharsets.UTF_8));
                assertThat(dead.value()).containsExactly(7, 1, 2, 3);
                assertThat(new String(dead.headers().lastHeader(ResultDeserializationHandler.REASON_HEADER).value(),
                        StandardCharsets.UTF_8)).isEqualTo(ResultDeserializationHandler.CORRUPT);
            }
        }
    }

    private static double counter(PrometheusMeterRegistry meters, String outcome) {
        return meters.get(AggregatorMetrics.RESULTS).tag("outcome", outcome).counter().count();
    }

    /** {@code result} encoded with a compatible newer JobResult schema (one more optional field), registered now. */
    private static byte[] withNewSchemaId(ItSupport it, JobResult result) throws IOException {
        Schema newer = new Schema.Parser().parse(JobResult.getClassSchema().toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"outageProbe" + it.suffix.replaceAll("[^A-Za-z0-9]", "")
                        + "\",\"type\":[\"null\",\"string\"],\"default\":null},"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(JobResult.class).write(result, encoder);
        encoder.flush();
        GenericRecord generic = new GenericDatumReader<GenericRecord>(JobResult.getClassSchema(), newer)
                .read(null, DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        try (AvroSerializer<GenericRecord> serializer = new AvroSerializer<>(it.registry, true, false)) {
            return serializer.serialize(it.names.results(), generic);
        }
    }

    private static ConsumerRecord<byte[], byte[]> readOne(ClusterInfo cluster, String topic) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers())
                .consumerConfig(UniqueNames.of("dlq-reader"), "dlq-reader");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    return record;
                }
            }
        }
        throw new AssertionError("no record on " + topic);
    }

    /** Forwards to the real registry, or answers every request with a fixed status while one is set. */
    private static final class RegistryProxy implements AutoCloseable {
        private final URI target;
        private final HttpServer server;
        private final HttpClient http = HttpClient.newHttpClient();
        private volatile int status;

        RegistryProxy(String targetUrl) throws IOException {
            this.target = URI.create(targetUrl);
            this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", this::handle);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + target.getRawPath();
        }

        /** Answers every request with {@code status}; 0 forwards again. */
        void answer(int status) {
            this.status = status;
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                int fixed = status;
                if (fixed != 0) {
                    exchange.sendResponseHeaders(fixed, -1);
                    return;
                }
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                URI uri = URI.create(target.getScheme() + "://" + target.getRawAuthority()
                        + exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()));
                HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
                List<String> contentType = exchange.getRequestHeaders().getOrDefault("Content-Type", new ArrayList<>());
                if (!contentType.isEmpty()) {
                    request.header("Content-Type", contentType.getFirst());
                }
                HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                response.headers().firstValue("Content-Type")
                        .ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
                exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
            http.close();
        }
    }
}
