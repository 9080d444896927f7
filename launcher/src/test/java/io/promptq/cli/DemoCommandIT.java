package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.cli.internal.LocalStack;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The main job end to end, in-process: a real local Kafka broker and registry, the producer's HTTP
 * API, three workers and the aggregator, with a flaky simulated provider.
 */
class DemoCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void demoAccountsForEveryJobFromTheAggregatorsTotals() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cli = PromptqCli.commandLine();
        cli.setOut(new PrintWriter(out, true));

        int exit = cli.execute("demo", "--jobs", "120", "--json", "--latency", "uniform:20ms-80ms",
                "--failure-rate", "0.3", "--permanent-rate", "0.05", "--retry-delays", "200ms,400ms,800ms", "--timeout", "2m");

        assertThat(exit).as("exit code; output: %s", out).isZero();
        JsonNode summary = JSON.readTree(out.toString().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertThat(summary.path("jobs").asLong()).isEqualTo(120);
        assertThat(summary.path("succeeded").asLong() + summary.path("deadLettered").asLong() + summary.path("expired").asLong())
                .isEqualTo(120);
        assertThat(summary.path("deadLettered").asLong()).as("5%% permanent failures per attempt").isPositive();
        assertThat(summary.path("totalRetries").asLong()).as("30%% transient failures per attempt").isPositive();
        assertThat(summary.path("p50ProcessingMs").asDouble()).isBetween(15.0, 500.0);
        assertThat(summary.path("p99ProcessingMs").asDouble()).isGreaterThanOrEqualTo(summary.path("p50ProcessingMs").asDouble());
        for (String key : new String[] {"avgProcessingMs", "p95ProcessingMs", "wallSeconds", "speedup", "expired"}) {
            assertThat(summary.has(key)).as("summary has %s", key).isTrue();
        }
    }

    @Test
    void upStackServesASubmittedJobAndStatsShowsItCounted() throws Exception {
        StackOptionsFixture options = new StackOptionsFixture();
        try (LocalStack stack = LocalStack.start(options.stackOptions(), Optional.empty(), line -> { })) {
            String producer = "http://127.0.0.1:" + stack.producer().orElseThrow().port();
            HttpResponse<String> accepted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(producer + "/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"tenant\":\"acme\",\"model\":\"mock-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"maxTokens\":64}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

            StringWriter out = new StringWriter();
            CommandLine cli = PromptqCli.commandLine();
            cli.setOut(new PrintWriter(out, true));
            long deadline = System.currentTimeMillis() + 60_000;
            JsonNode overall;
            do {
                out.getBuffer().setLength(0);
                assertThat(cli.execute("stats", "--json", "--aggregator-url", stack.aggregator().url().toString())).isZero();
                overall = findTotals(JSON.readTree(out.toString()), "overall");
                Thread.sleep(200);
            } while ((overall == null || overall.path("total").asLong() < 1) && System.currentTimeMillis() < deadline);

            assertThat(overall).isNotNull();
            assertThat(overall.path("total").asLong()).isEqualTo(1);
            assertThat(findTotals(JSON.readTree(out.toString()), "tenant:acme")).isNotNull();
        }
    }

    private static JsonNode findTotals(JsonNode doc, String key) {
        for (JsonNode totals : doc.path("totals")) {
            if (key.equals(totals.path("key").asText())) {
                return totals;
            }
        }
        return null;
    }

    /** The options `promptq up` uses, with free ports. */
    private static final class StackOptionsFixture {
        LocalStack.Options stackOptions() {
            return new LocalStack.Options(2, 3, Map.of("PROMPTQ_LLM_SIM_LATENCY", "fixed:10ms"), true, 0, 0, false);
        }
    }
}
