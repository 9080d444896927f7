package io.promptq.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.testkit.OpenAiStub;
import io.promptq.worker.WorkerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A job's whole lifecycle through the real services of a local stack - producer, worker, aggregator - with a local
 * OpenAI-compatible provider that fails the first call: the states the client and the worker write, materialized by
 * the aggregator, are seen through the producer's {@code GET /v1/jobs/{id}} and its event stream, each once and in
 * order.
 */
class JobLifecycleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String EOF = "\u0000eof";

    @Test
    void aJobThatFailsOnceIsSeenQueuedRunningRetryingRunningSucceededThroughGetAndTheEventStream() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant())) {
            LocalStack.Options options = new LocalStack.Options(1, 2, Map.of(
                    LlmConfig.PROVIDER.name(), "openai",
                    LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl(),
                    ResilienceConfig.BREAKER_ENABLED.name(), "false",
                    WorkerConfig.LOCAL_RETRIES.name(), "0",
                    // long enough that the test ends the outage before the retry is due, even on a loaded machine
                    WorkerConfig.RETRY_DELAYS.name(), "6s"), true, 0, 0, false);
            stub.outage(OpenAiStub.Outage.UNAVAILABLE_503);
            try (LocalStack stack = LocalStack.start(options, Optional.empty(), line -> { });
                    HttpClient http = HttpClient.newHttpClient()) {
                URI api = URI.create("http://127.0.0.1:" + stack.producer().orElseThrow().port());
                HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(api.resolve("/v1/jobs"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"acme\",\"model\":\"it-model\","
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"what is 6 x 7?\"}],\"maxTokens\":16}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                String jobId = JSON.readTree(accepted.body()).path("jobId").asText();

                await().atMost(TIMEOUT).until(() -> stub.calls(jobId) >= 1);
                stub.outage(OpenAiStub.Outage.NONE);
                HttpResponse<String> waited = http.send(HttpRequest.newBuilder(
                        api.resolve("/v1/jobs/" + jobId + "?wait=30s")).timeout(TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString());
                List<String> events = states(http, api.resolve("/v1/jobs/" + jobId + "/events"));

                assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
                JsonNode view = JSON.readTree(waited.body());
                assertThat(view.path("state").asText()).isEqualTo("SUCCEEDED");
                assertThat(view.path("result").path("attempts").asInt()).isEqualTo(2);
                assertThat(events).containsExactly("QUEUED", "RUNNING", "RETRYING", "RUNNING", "SUCCEEDED");
                List<String> history = new ArrayList<>();
                view.path("history").forEach(change -> history.add(change.path("state").asText()));
                assertThat(history).isEqualTo(events);
                assertThat(stub.calls(jobId)).isEqualTo(2);
            }
        }
    }

    /** The {@code state} of every event of the stream, read until it ends. */
    private static List<String> states(HttpClient http, URI events) throws Exception {
        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(events)
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (Stream<String> stream = response.body()) {
                stream.forEach(lines::add);
            } finally {
                lines.add(EOF);
            }
        });
        List<String> states = new ArrayList<>();
        while (true) {
            String line = lines.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertThat(line).as("a line of the event stream within " + TIMEOUT).isNotNull();
            if (line.equals(EOF)) {
                return states;
            }
            if (line.startsWith("data:")) {
                states.add(JSON.readTree(line.substring("data:".length())).path("state").asText());
            }
        }
    }
}
