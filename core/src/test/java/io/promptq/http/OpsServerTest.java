package io.promptq.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

    @Test
    void headersTooLargeAnswer431Problem() throws IOException {
        String response = raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");

        assertRawProblem(response, 431);
    }

    @Test
    void uriTooLongAnswers414Problem() throws IOException {
        String response = raw("GET /health/live?q=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertRawProblem(response, 414);
    }

    @Test
    void badFramingAnswers400Problem() throws IOException {
        String response = raw("POST /v1/things HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");

        assertRawProblem(response, 400);
    }

    @Test
    void anUnknownMethodAnswersAProblem() throws IOException {
        String response = raw("BREW /v1/things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(response).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
        assertThat(response).contains("Content-Type: " + Problem.CONTENT_TYPE).contains("\"title\"").contains("\"detail\"");
    }

    private static void assertRawProblem(String response, int status) {
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        assertThat(response).contains("Content-Type: " + Problem.CONTENT_TYPE);
        assertThat(response).contains("\"status\":" + status).contains("\"title\"").contains("\"detail\"");
    }

    /** Writes {@code request} over a raw socket and reads the answer until the server closes or 5 s pass. */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    answer.write(buffer, 0, n);
                    if (answer.toString(StandardCharsets.ISO_8859_1).contains("}")) {
                        break;
                    }
                }
            } catch (SocketTimeoutException | SocketException e) {
                // the server closed or went quiet; what was read is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private HttpResponse<String> send(String method, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
