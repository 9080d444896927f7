package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.webhook.WebhookConfig;
import io.promptq.aggregator.webhook.WebhookDispatcher;
import io.promptq.aggregator.webhook.WebhookSignature;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.webhook.WebhookTargets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The webhook dispatcher inside a running aggregator, on the real broker and registry, calling a real local HTTP
 * receiver (JDK HttpServer): signatures verify with Svix's Standard Webhooks implementation, a flaky receiver gets
 * the result once after its failures, a dead receiver's result lands in the callback dead-letter topic.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDispatchIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 5;
    private static final String SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the receiver got. */
    record Received(String path, Map<String, List<String>> headers, String body, int answered) {}

    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
    private ItSupport it;
    private HttpServer receiver;
    private int deadPort;
    private PrometheusMeterRegistry meters;
    private AggregatorService aggregator;

    @BeforeAll
    void start(ClusterInfo cluster) throws IOException {
        it = new ItSupport(cluster);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            AtomicInteger failures = failuresLeft.get(path);
            int status = failures != null && failures.getAndDecrement() > 0 ? 500 : 204;
            received.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()),
                    new String(body, StandardCharsets.UTF_8), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        receiver.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort(); // closed again: nothing listens there
        }
        WebhookTargets targets = new WebhookTargets(List.of("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks",
                "http://127.0.0.1:" + deadPort + "/"), Map.of());
        WebhookConfig webhooks = WebhookConfig.disabled().withTargets(targets, SECRET)
                .withRetries(MAX_ATTEMPTS, Duration.ofMillis(50), Duration.ofMillis(200));
        Path stateDir = Files.createTempDirectory("webhook-it");
        meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        aggregator = AggregatorService.start(it.config("agg-wh-" + it.suffix, stateDir).withWebhooks(webhooks), meters);
        aggregator.awaitRunning(Duration.ofMinutes(2));
    }

    @AfterAll
    void stop() {
        if (aggregator != null) {
            aggregator.close();
        }
        receiver.stop(0);
        it.close();
    }

    private String receiverUrl(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private JobResult result(String jobId, String callbackUrl) {
        JobResult r = Results.result(jobId, "gpt", "acme", JobStatus.SUCCEEDED, Instant.now(), 1000, 10, 20, 500);
        r.setCallbackUrl(callbackUrl);
        return r;
    }

    private List<Received> requestsTo(String path) {
        synchronized (received) {
            return received.stream().filter(r -> r.path().equals(path)).toList();
        }
    }

    private double deliveries(String outcome) {
        return meters.get(WebhookDispatcher.DELIVERIES_METER).tag("outcome", outcome).counter().count();
    }

    @Test
    void theSignatureVerifiesWithTheStandardWebhooksLibraryAndTheBodyIsTheResult() throws Exception {
        String jobId = UniqueNames.of("signed");
        it.publish(List.of(result(jobId, receiverUrl("/hooks/signed"))));

        await().atMost(TIMEOUT).until(() -> !requestsTo("/hooks/signed").isEmpty());
        Received request = requestsTo("/hooks/signed").getFirst();
        Map<String, List<String>> headers = lowerCase(request.headers());
        assertThat(headers.get("webhook-id")).containsExactly(jobId);
        new com.svix.Webhook(SECRET).verify(request.body(), headers);
        assertThatThrownBy(() -> new com.svix.Webhook(SECRET).verify(request.body().replace("ok", "OK"), headers))
                .as("a changed body must not verify").isInstanceOf(Exception.class);
        assertThatThrownBy(() -> new com.svix.Webhook("whsec_" + Base64.getEncoder().encodeToString(new byte[32]))
                .verify(request.body(), headers)).as("another secret must not verify").isInstanceOf(Exception.class);
        assertThat(WebhookSignature.of(SECRET).verify(jobId, Long.parseLong(headers.get("webhook-timestamp").getFirst()),
                request.body().getBytes(StandardCharsets.UTF_8), headers.get("webhook-signature").getFirst())).isTrue();

        JsonNode body = JSON.readTree(request.body());
        assertThat(body.path("jobId").asText()).isEqualTo(jobId);
        assertThat(body.path("tenant").asText()).isEqualTo("acme");
        assertThat(body.path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(body.path("output").asText()).isEqualTo("ok");
        assertThat(body.path("completionTokens").asLong()).isEqualTo(20);
        assertThat(body.path("attempts").asInt()).isEqualTo(1);
        assertThat(body.path("endToEndMs").asLong()).isEqualTo(1000);
    }

    @Test
    void aReceiverFailingThreeTimesThenSucceedingGetsTheResultOnceAfterFourAttempts() {
        String jobId = UniqueNames.of("flaky");
        failuresLeft.put("/hooks/flaky", new AtomicInteger(3));
        double deliveredBefore = deliveries("delivered");
        it.publish(List.of(result(jobId, receiverUrl("/hooks/flaky"))));

        await().atMost(TIMEOUT).until(() -> requestsTo("/hooks/flaky").stream().anyMatch(r -> r.answered() == 204));
        await().during(Duration.ofSeconds(2)).atMost(TIMEOUT).until(() -> requestsTo("/hooks/flaky").size() == 4);
        List<Received> requests = requestsTo("/hooks/flaky");
        assertThat(requests).extracting(Received::answered).containsExactly(500, 500, 500, 204);
        assertThat(requests).allSatisfy(r -> assertThat(lowerCase(r.headers()).get("webhook-id")).containsExactly(jobId));
        assertThat(deliveries("delivered") - deliveredBefore).isEqualTo(1.0);
        assertThat(deadLetter(jobId, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aReceiverDownForGoodLandsInTheCallbackDeadLetterTopicAfterTheLastAttempt() {
        String jobId = UniqueNames.of("down");
        it.publish(List.of(result(jobId, "http://127.0.0.1:" + deadPort + "/gone")));

        ConsumerRecord<String, JobResult> dead = deadLetter(jobId, TIMEOUT).orElseThrow();
        assertThat(dead.value().getJobId()).isEqualTo(jobId);
        assertThat(dead.value().getCallbackUrl()).endsWith("/gone");
        assertThat(header(dead, WebhookDispatcher.ATTEMPTS_HEADER)).isEqualTo(Integer.toString(MAX_ATTEMPTS));
        assertThat(header(dead, WebhookDispatcher.ERROR_HEADER)).contains("ConnectException");
        assertThat(deliveries("dead_lettered")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void aCallbackOutsideTheAllowListIsNeverCalledAndIsDeadLettered() {
        String jobId = UniqueNames.of("foreign");
        it.publish(List.of(result(jobId, receiverUrl("/elsewhere"))));

        ConsumerRecord<String, JobResult> dead = deadLetter(jobId, TIMEOUT).orElseThrow();
        assertThat(header(dead, WebhookDispatcher.ATTEMPTS_HEADER)).isEqualTo("0");
        assertThat(header(dead, WebhookDispatcher.ERROR_HEADER)).contains("allow-list");
        assertThat(requestsTo("/elsewhere")).isEmpty();
    }

    private Optional<ConsumerRecord<String, JobResult>> deadLetter(String jobId, Duration timeout) {
        Map<String, Object> props = KafkaSettings.of(it.cluster.bootstrapServers())
                .consumerConfig(UniqueNames.of("webhook-dlq-reader"), "webhook-dlq-reader");
        try (KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(props,
                it.topics.webhookDeadLetters().keyDeserializer(), it.topics.webhookDeadLetters().valueDeserializer())) {
            consumer.subscribe(List.of(it.names.webhookDeadLetters()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JobResult> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(jobId)) {
                        return Optional.of(record);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        Map<String, List<String>> out = new java.util.HashMap<>();
        headers.forEach((k, v) -> out.put(k.toLowerCase(java.util.Locale.ROOT), v));
        return out;
    }
}
