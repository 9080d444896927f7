package io.promptq.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The answers of the ops server for requests no route takes. */
class OpsServerTest {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private OpsServer server;

    @BeforeEach
    void start() {
        server = OpsServer.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), app -> {
            app.post("/v1/things", ctx -> ctx.status(202));
            app.get("/v1/things/{id}", ctx -> {
                throw new ProblemException(Problem.of(404, "Not Found", "no thing " + ctx.pathParam("id")));
            });
        });
    }

    @AfterEach
    void stop() {
        server.close();
        http.close();
    }

    @Test
    void unknownPathAnswers404Problem() throws Exception {
        HttpResponse<String> response = send("GET", "/nothing/here");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(Problem.CONTENT_TYPE));
        assertThat(response.body()).contains("\"status\":404");
    }

    @Test
    void wrongMethodAnswers405ProblemWithAllow() throws Exception {
        HttpResponse<String> response = send("DELETE", "/v1/things");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith(Problem.CONTENT_TYPE));
    }

    @Test
    void wrongMethodOnAPathWithParametersAnswers405() throws Exception {
        HttpResponse<String> response = send("POST", "/v1/things/42");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("GET");
    }

    @Test
    void aRoutesOwn404ProblemIsKept() throws Exception {
        HttpResponse<String> response = send("GET", "/v1/things/42");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("no thing 42");
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
