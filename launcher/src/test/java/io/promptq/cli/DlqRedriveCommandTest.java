package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./promptq dlq redrive} against a real HTTP server standing in for the aggregator's console API. */
class DlqRedriveCommandTest {

    private HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicReference<String> authorization = new AtomicReference<>();
    private final AtomicReference<String> path = new AtomicReference<>();
    private volatile int status = 200;
    private volatile String answer = "{\"auditId\":\"a-1\",\"matched\":3,\"redriven\":2,\"refusedCount\":1,"
            + "\"refused\":[{\"id\":\"0-7\",\"reason\":\"already redriven at 2026-12-02T10:00:00Z (audit a-0)\"}]}";
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
            body.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int run(String... args) {
        CommandLine cli = PromptqCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void redriveByFilterPostsTheFilterRateAndDryRunWithTheTokenAndPrintsTheAnswer() {
        int code = run("dlq", "redrive", "--aggregator-url", url(), "--token", "op-secret", "--reason",
                "INVALID_REQUEST", "--tenant", "acme", "--since", "2026-12-01T00:00:00Z", "--rate", "5", "--dry-run");

        assertThat(code).as(err.toString()).isZero();
        assertThat(path.get()).isEqualTo("POST /v1/console/dead-letters/redrive");
        assertThat(authorization.get()).isEqualTo("Bearer op-secret");
        assertThat(body.get()).isEqualTo("{\"filter\":{\"reason\":\"INVALID_REQUEST\",\"tenant\":\"acme\","
                + "\"since\":" + java.time.Instant.parse("2026-12-01T00:00:00Z").toEpochMilli() + "},\"rate\":5,\"dryRun\":true}");
        assertThat(out.toString()).contains("Would redrive 2 of 3 matched; refused 1; audit a-1");
    }

    @Test
    void redriveByIdPostsTheIds() {
        assertThat(run("dlq", "redrive", "--aggregator-url", url(), "0-7", "1-12")).isZero();

        assertThat(body.get()).isEqualTo("{\"ids\":[\"0-7\",\"1-12\"],\"dryRun\":false}");
        assertThat(authorization.get()).isNull();
        assertThat(out.toString()).contains("Redrove 2 of 3 matched");
    }

    @Test
    void aRefusalOfTheAggregatorIsAnErrorWithItsDetail() {
        status = 403;
        answer = "{\"status\":403,\"title\":\"Forbidden\",\"detail\":\"redrive and purge need an operator token\"}";

        assertThat(run("dlq", "redrive", "--aggregator-url", url(), "--token", "reader", "0-7")).isEqualTo(1);
        assertThat(err.toString()).contains("403").contains("need an operator token");
    }

    @Test
    void neitherIdsNorAFilterIsAUsageError() {
        assertThat(run("dlq", "redrive", "--aggregator-url", url())).isEqualTo(2);
        assertThat(path.get()).isNull();
    }
}
