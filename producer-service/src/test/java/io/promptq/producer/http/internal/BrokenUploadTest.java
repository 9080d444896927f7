package io.promptq.producer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientConfig;
import io.promptq.client.ValidationRules;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Uploads that end early or are malformed, sent over raw sockets to the real server: they are answered 400 where
 * the client can still read, nothing is published, and nothing is logged at WARN or above (no stack trace per
 * connection).
 */
class BrokenUploadTest {

    private static final String JOB = """
            {"tenant": "acme", "model": "m", "messages": [{"role": "user", "content": "hi"}]}""";

    private final FakePromptqClient client = new FakePromptqClient(ValidationRules.defaults(), Duration.ofMillis(1500));
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private OpsServer server;

    @BeforeEach
    void start() {
        ProducerServiceConfig config = ProducerServiceConfig.defaults(ClientConfig.of(KafkaSettings.of("unused:9092"),
                RegistryConfig.of("http://unused:8081")));
        JobsHandler handler = new JobsHandler(client, config, ProducerMetrics.bind(registry));
        server = OpsServer.start("127.0.0.1", 0, registry, app -> {
            app.post("/v1/jobs", handler::submit);
            app.post("/v1/jobs/batch", handler::submitBatch);
        });
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void stop() {
        root.detachAppender(logged);
        server.close();
    }

    @Test
    void aBodyShorterThanItsContentLengthIs400WithoutAnErrorLog() throws IOException {
        String head = "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";

        String response = exchange(head + JOB.substring(0, 20), true);

        assertThat(response).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("\"field\":\"body\"");
        assertNothingPublishedOrLoggedAboveInfo();
    }

    @Test
    void aMalformedChunkSizeIs400WithoutAnErrorLog() throws IOException {
        String head = "POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

        String response = exchange(head + "5\r\n{\"ten\r\nzz\r\nant\r\n0\r\n\r\n", false);

        assertThat(response).startsWith("HTTP/1.1 400");
        assertNothingPublishedOrLoggedAboveInfo();
    }

    @Test
    void uploadsAbortedMidBodyLogNothingAboveInfo() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/jobs/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 5000\r\n\r\n[" + JOB).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
        Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .untilAsserted(this::assertNothingPublishedOrLoggedAboveInfo);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> registry.find(ProducerMetrics.JOBS_REJECTED)
                .tag(ProducerMetrics.REASON, "incomplete_body").counter().count() > 0);
    }

    /** Sends {@code request}, half-closes the output when asked, and reads the answer until the server closes. */
    private String exchange(String request, boolean halfClose) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (halfClose) {
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                answer.write(buffer, 0, n);
                if (answer.toString(StandardCharsets.UTF_8).contains("}")) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private void assertNothingPublishedOrLoggedAboveInfo() {
        assertThat(client.published()).isEmpty();
        assertThat(logged.list).filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
    }
}
