package io.promptq.producer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientConfig;
import io.promptq.client.ValidationRules;
import io.promptq.http.HttpLimits;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.FakePromptqClient;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.registry.RegistryConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clients sending one byte a second, against the real server with the producer's connection limits: they are cut
 * off within seconds, long before the 30 s idle timeout.
 */
class SlowClientTest {

    private final FakePromptqClient client = new FakePromptqClient(ValidationRules.defaults(), Duration.ofMillis(1500));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private OpsServer server;

    @BeforeEach
    void start() {
        HttpLimits limits = new HttpLimits(100, 1024, ProducerServiceConfig.DEFAULT_MIN_REQUEST_DATA_RATE,
                Duration.ofSeconds(1));
        ProducerServiceConfig config = ProducerServiceConfig.defaults(ClientConfig.of(KafkaSettings.of("unused:9092"),
                RegistryConfig.of("http://unused:8081"))).toBuilder().httpLimits(limits).build();
        JobsHandler handler = new JobsHandler(client, config, ProducerMetrics.bind(registry));
        server = OpsServer.start("127.0.0.1", 0, registry, config.httpLimits(), app -> app.post("/v1/jobs", handler::submit));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBodySentAtOneBytePerSecondIsCutOffWith408WellBeforeTheIdleTimeout() throws Exception {
        String head = "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n";

        long started = System.nanoTime();
        String answer = trickle(head, "{\"tenant\": \"acme\", \"model\": \"m\"".repeat(10));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(answer).startsWith("HTTP/1.1 408").contains("application/problem+json");
        assertThat(client.published()).isEmpty();
    }

    @Test
    void headersSentAtOneBytePerSecondAreCutOffWellBeforeTheIdleTimeout() throws Exception {
        long started = System.nanoTime();
        trickle("", "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Slow: "
                + "a".repeat(100) + "\r\n\r\n");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(client.published()).isEmpty();
    }

    /**
     * Sends {@code head} at once and then {@code slow} one byte a second until the server answers or closes; returns
     * what it answered.
     */
    private String trickle(String head, String slow) throws IOException, InterruptedException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(100);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int i = 0; i < slow.length() && i < 40; i++) {
                try {
                    out.write(slow.charAt(i));
                    out.flush();
                } catch (SocketException closed) {
                    break;
                }
                long until = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < until) {
                    try {
                        int n = in.read(buffer);
                        if (n < 0) {
                            return answer.toString(StandardCharsets.UTF_8);
                        }
                        answer.write(buffer, 0, n);
                    } catch (SocketTimeoutException quiet) {
                        // nothing yet
                    } catch (SocketException reset) {
                        return answer.toString(StandardCharsets.UTF_8);
                    }
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
