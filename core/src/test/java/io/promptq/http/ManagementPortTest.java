package io.promptq.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /health/*} and {@code /metrics} on their own port ({@code PROMPTQ_MANAGEMENT_PORT}), on real servers. */
class ManagementPortTest {

    private static final HttpLimits LIMITS = new HttpLimits(100, 50, 0, Duration.ofSeconds(5));

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private OpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        http.close();
    }

    @Test
    void withAManagementPortTheApiPortNoLongerServesHealthOrMetrics() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(true);
        server = OpsServer.start("127.0.0.1", 0, 0, metrics, LIMITS, app -> app.get("/v1/things", ctx -> ctx.result("api")));
        server.readiness("flag", () -> ready.get() ? HealthCheck.Result.up("ok") : HealthCheck.Result.down("off"));
        int api = server.port();
        int management = server.managementPort();

        assertThat(management).isNotEqualTo(api).isPositive();
        assertThat(get(api, "/v1/things").body()).isEqualTo("api");
        assertThat(get(api, "/health/live").statusCode()).isEqualTo(404);
        assertThat(get(api, "/health/ready").statusCode()).isEqualTo(404);
        assertThat(get(api, "/metrics").statusCode()).isEqualTo(404);

        assertThat(get(management, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(management, "/health/ready").statusCode()).isEqualTo(200);
        ready.set(false);
        HttpResponse<String> down = get(management, "/health/ready");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"flag\"").contains("DOWN");
        assertThat(get(management, "/metrics").statusCode()).isEqualTo(200);
        assertThat(get(management, "/v1/things").statusCode()).isEqualTo(404);
    }

    @Test
    void withoutOneEverythingStaysOnTheApiPort() throws Exception {
        server = OpsServer.start("127.0.0.1", 0, null, metrics, LIMITS, app -> app.get("/v1/things", ctx -> ctx.result("api")));

        assertThat(server.managementPort()).isEqualTo(server.port());
        assertThat(get(server.port(), "/v1/things").body()).isEqualTo("api");
        assertThat(get(server.port(), "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(server.port(), "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
