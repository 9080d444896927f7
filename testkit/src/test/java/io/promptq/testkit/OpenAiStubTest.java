package io.promptq.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The stub speaks OpenAI's API as OpenAI's own Java SDK understands it, and counts and scripts calls per job.
 */
class OpenAiStubTest {

    private static final ChatCompletionCreateParams HELLO = ChatCompletionCreateParams.builder()
            .model("gpt-4o-mini")
            .addSystemMessage("Be brief.")
            .addUserMessage("Say hello")
            .build();

    private static OpenAIClient officialClient(OpenAiStub stub, String jobId) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(stub.baseUrl())
                .apiKey("sk-test")
                .maxRetries(0)
                .putHeader(OpenAiStub.JOB_ID_HEADER, jobId)
                .build();
    }

    @Test
    void officialOpenAiClientReadsTheStubsCompletion() {
        try (OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant())) {
            OpenAIClient client = officialClient(stub, "job-1");
            try {
                ChatCompletion completion = client.chat().completions().create(HELLO);

                completion.validate();
                assertThat(completion.model()).isEqualTo("gpt-4o-mini");
                ChatCompletion.Choice choice = completion.choices().get(0);
                assertThat(choice.message().content()).hasValue("stub answer 1 for job-1");
                assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
                assertThat(completion.usage()).hasValueSatisfying(usage -> {
                    assertThat(usage.promptTokens()).isPositive();
                    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
                });
                assertThat(stub.calls("job-1")).isEqualTo(1);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void officialOpenAiClientSeesTransientFailuresAsServerErrorsAndPermanentOnesAsBadRequests() {
        try (OpenAiStub failing = OpenAiStub.start(OpenAiStub.Behaviour.instant().withTransientRate(1));
                OpenAiStub rejecting = OpenAiStub.start(OpenAiStub.Behaviour.instant().withPermanentRate(1))) {
            OpenAIClient toFailing = officialClient(failing, "job-2");
            OpenAIClient toRejecting = officialClient(rejecting, "job-3");
            try {
                InternalServerException transientFailure =
                        catchThrowableOfType(InternalServerException.class, () -> toFailing.chat().completions().create(HELLO));
                BadRequestException permanentFailure =
                        catchThrowableOfType(BadRequestException.class, () -> toRejecting.chat().completions().create(HELLO));

                assertThat(transientFailure.statusCode()).isEqualTo(503);
                assertThat(transientFailure.getMessage()).contains("transient failure");
                assertThat(permanentFailure.statusCode()).isEqualTo(400);
                assertThat(failing.transientFailures()).isEqualTo(1);
                assertThat(failing.transientFailures("job-2")).isEqualTo(1);
                assertThat(rejecting.permanentFailures()).isEqualTo(1);
            } finally {
                toFailing.close();
                toRejecting.close();
            }
        }
    }

    @Test
    void callsAreCountedPerJobAndCallsWithoutAJobUnderNoJob() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant());
                HttpClient http = HttpClient.newHttpClient()) {
            post(http, stub, "a");
            post(http, stub, "b");
            post(http, stub, "a");
            post(http, stub, null);

            assertThat(stub.callsByJob()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("a", 2, "b", 1, OpenAiStub.NO_JOB, 1));
            assertThat(stub.totalCalls()).isEqualTo(4);
            assertThat(stub.succeeded()).isEqualTo(4);
            assertThat(stub.answeredWithin(Duration.ofHours(1))).isEqualTo(4);
        }
    }

    @Test
    void sameSeedGivesEveryJobTheSameAnswersWhateverTheOrderOfCalls() throws Exception {
        OpenAiStub.Behaviour flaky = OpenAiStub.Behaviour.instant().withTransientRate(0.3).withPermanentRate(0.1).withSeed(7);
        Map<String, Integer> jobsInOrder = new HashMap<>();
        Map<String, Integer> jobsInReverse = new HashMap<>();
        try (OpenAiStub first = OpenAiStub.start(flaky);
                OpenAiStub second = OpenAiStub.start(flaky);
                HttpClient http = HttpClient.newHttpClient()) {
            for (int job = 0; job < 40; job++) {
                for (int call = 1; call <= 3; call++) {
                    jobsInOrder.put("job-" + job + "#" + call, post(http, first, "job-" + job));
                }
            }
            for (int call = 1; call <= 3; call++) {
                for (int job = 39; job >= 0; job--) {
                    jobsInReverse.put("job-" + job + "#" + call, post(http, second, "job-" + job));
                }
            }
        }

        assertThat(jobsInOrder).isEqualTo(jobsInReverse).containsValues(200, 400, 503);
    }

    @Test
    void aCallIsInFlightUntilItIsAnswered() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant().withFixedLatency(Duration.ofMillis(300)));
                HttpClient http = HttpClient.newHttpClient()) {
            CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request(stub, "slow"), HttpResponse.BodyHandlers.ofString());
            while (stub.inFlight() == 0 && !pending.isDone()) {
                Thread.onSpinWait();
            }
            assertThat(stub.inFlight()).isEqualTo(1);

            assertThat(pending.get().statusCode()).isEqualTo(200);
            assertThat(stub.inFlight()).isZero();
        }
    }

    private static int post(HttpClient http, OpenAiStub stub, String jobId) throws Exception {
        return http.send(request(stub, jobId), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static HttpRequest request(OpenAiStub stub, String jobId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (jobId != null) {
            request.header(OpenAiStub.JOB_ID_HEADER, jobId);
        }
        return request.build();
    }

    @Test
    void outageSwitchAnswers503Then429WithRetryAfterThen401AndBackToCompletions() throws Exception {
        try (OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant())) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest call = HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/chat/completions"))
                    .header(OpenAiStub.JOB_ID_HEADER, "job-o").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build();

            stub.outage(OpenAiStub.Outage.UNAVAILABLE_503);
            assertThat(http.send(call, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            stub.outage(OpenAiStub.Outage.RATE_LIMITED_429);
            HttpResponse<String> limited = http.send(call, HttpResponse.BodyHandlers.ofString());
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
            stub.outage(OpenAiStub.Outage.UNAUTHORIZED_401);
            assertThat(http.send(call, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            stub.outage(OpenAiStub.Outage.NONE);
            assertThat(http.send(call, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            assertThat(stub.calls("job-o")).isEqualTo(4);
            assertThat(stub.transientFailures("job-o")).isEqualTo(2);
        }
    }
}
