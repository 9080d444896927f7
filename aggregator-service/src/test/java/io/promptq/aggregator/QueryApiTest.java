package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.internal.query.QueryRoutes;
import io.promptq.aggregator.stats.JobSample;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.http.OpsServer;
import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP surface that needs no Kafka: parameter checks, 503 before Kafka Streams runs, the JSON shape. */
class QueryApiTest {

    private OpsServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void startServer() {
        QueryRoutes routes = new QueryRoutes(() -> null, Clock.systemUTC());
        server = OpsServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routes::register);
    }

    @AfterEach
    void stopServer() {
        server.close();
        http.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A GET sent as written, so that malformed escapes (which {@link URI} refuses) reach the server. */
    private RawResponse getRaw(String pathAndQuery) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int headersEnd = answer.indexOf("\r\n\r\n");
            String[] head = answer.substring(0, headersEnd).split("\r\n");
            String contentType = "";
            for (String header : head) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    contentType = header.substring("content-type:".length()).trim();
                }
            }
            return new RawResponse(Integer.parseInt(head[0].split(" ")[1]), contentType, answer.substring(headersEnd + 4));
        }
    }

    private record RawResponse(int status, String contentType, String body) {}

    @Test
    void badTimeParameterIsA400ProblemNamingTheParameter() throws Exception {
        HttpResponse<String> response = get("/v1/stats/windows?scope=overall&from=yesterday");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        JsonNode problem = QueryApiJson.MAPPER.readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo("from");
        assertThat(problem.get("detail").asText()).contains("yesterday");
    }

    @Test
    void fromAfterToAndUnknownScopesAreRejected() throws Exception {
        assertThat(get("/v1/stats/windows?from=2000&to=1000").statusCode()).isEqualTo(400);
        HttpResponse<String> scope = get("/v1/stats/totals?scope=region:eu");
        assertThat(scope.statusCode()).isEqualTo(400);
        assertThat(QueryApiJson.MAPPER.readTree(scope.body()).get("field").asText()).isEqualTo("scope");
        assertThat(get("/v1/stats/windows?scope=tenant:acme").statusCode()).isEqualTo(400);
        assertThat(get("/v1/stats/totals/all?scope=planet").statusCode()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/v1/stats/windows?to=9223372036854775807, to",
        "/v1/stats/windows?from=9223372036854775807, from",
        "/v1/stats/windows?to=-1000000000-01-01T00:00:00Z, to",
        "/v1/stats/windows?to=%2B1000000000-12-31T23:59:59Z, to",
        "/v1/stats/windows?from=-1000000000-01-01T00:00:00Z&to=1000, from",
        "/v1/stats/windows?from=1969-12-31T23:59:59Z, from",
        "/v1/stats/windows?to=%2B10000-01-01T00:00:00Z, to",
        "/v1/stats/windows?scope=%zz, scope",
        "/v1/stats/windows?scope=overall&from=%zz, from",
        "/v1/stats/totals?scope=%zz, scope",
        "/v1/stats/totals/all?scope=%zz, scope",
        "/v1/stats/totals?scope=overall&%zz=1, %zz",
        "/v1/stats/totals?scope=model:%C3%28, scope",
    })
    void outOfRangeOrUndecodableParameterIsA400ProblemNamingIt(String path, String field) throws Exception {
        RawResponse response = getRaw(path);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = QueryApiJson.MAPPER.readTree(response.body());
        assertThat(problem.get("field").asText()).isEqualTo(field);
        assertThat(problem.get("detail").asText()).startsWith(field + ": ");
    }

    @Test
    void boundsAtTheEdgesOfTheQueryableRangeAreAccepted() throws Exception {
        // accepted parameters reach the (absent) Kafka Streams instance: 503, not 400
        assertThat(get("/v1/stats/windows?from=0&to=253402300799999").statusCode()).isEqualTo(503);
        assertThat(get("/v1/stats/windows?from=1970-01-01T00:00:00Z&to=9999-12-31T23:59:59.999Z").statusCode())
                .isEqualTo(503);
    }

    @Test
    void queriesBeforeKafkaStreamsRunsAre503WithRetryAfter() throws Exception {
        HttpResponse<String> response = get("/v1/stats/totals");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        try (AggregatorClient client = AggregatorClient.create("http://127.0.0.1:" + server.port())) {
            AggregatorClientException e = catchThrowableOfType(
                    AggregatorClientException.class, client::totals);
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.isRetriable()).isTrue();
        }
    }

    @Test
    void jobStatsJsonRoundTripsThroughTheView() throws Exception {
        JobStats stats = StatsAggregate.of(List.of(new JobSample(JobStatus.SUCCEEDED, 2, new long[] {100, 250}, 900, 5, 7)), 1_000)
                .toJobStats(StatsKey.model("gpt"), Instant.ofEpochMilli(60_000), Instant.ofEpochMilli(120_000));

        String json = QueryApiJson.MAPPER.writeValueAsString(JobStatsView.from(stats));
        JobStatsView view = QueryApiJson.MAPPER.readValue(json, JobStatsView.class);

        assertThat(view.key()).isEqualTo("model:gpt@60000");
        assertThat(view.windowStart()).isEqualTo("1970-01-01T00:01:00Z");
        assertThat(view.providerLatency().count()).isEqualTo(2);
        assertThat(view.toJobStats()).isEqualTo(stats);
        JsonNode provider = QueryApiJson.MAPPER.readTree(json).get("providerLatency");
        assertThat(provider.get("maxMs").asDouble()).isEqualTo(250);
        // percentiles are the sample at rank floor(q * (n - 1)), within 0.5%: with two samples that is the first
        assertThat(provider.get("p99Ms").asDouble()).isCloseTo(100, within(0.5));
    }
}
