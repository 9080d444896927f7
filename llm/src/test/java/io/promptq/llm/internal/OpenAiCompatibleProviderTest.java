package io.promptq.llm.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.promptq.llm.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.OpenAiSettings;
import io.promptq.llm.ProviderException;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.net.ServerSocket;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenAiCompatibleProviderTest {

    private static final String API_KEY = "sk-test-SECRET-0123456789";
    private static final String PATH = "/v1/chat/completions";
    private static final String OK_BODY = """
            {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}""";

    private static WireMockServer server;
    private LlmProvider provider;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @BeforeEach
    void createProvider() {
        server.resetAll();
        provider = LlmProviders.openAiCompatible(OpenAiSettings.of(server.baseUrl() + "/v1", API_KEY)
                .toBuilder().modelMap(Map.of("small", "gpt-4o-mini")).build());
    }

    @AfterEach
    void closeProvider() {
        provider.close();
    }

    private static void respond(ResponseDefinitionBuilder response) {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(response));
    }

    private ProviderException failure(LlmRequest request) {
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.complete(request));
        assertThat(e).as("a ProviderException").isNotNull();
        assertThat(e.getMessage()).doesNotContain(API_KEY);
        assertThat(String.valueOf(e)).doesNotContain(API_KEY);
        return e;
    }

    private ProviderException failure() {
        return failure(request("job-7", "small"));
    }

    @Test
    void successfulCompletionIsParsedAndSentWithBearerTokenAndMappedModel() {
        respond(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(OK_BODY));
        LlmRequest request = new LlmRequest("job-1", "small",
                List.of(new LlmRequest.Message("system", "Be brief."), new LlmRequest.Message("user", "Say hello")),
                0.5, 32, Map.of("top_p", "0.9", "user", "tenant-a"), Duration.ofSeconds(5));

        LlmResponse response = provider.complete(request);

        assertThat(response).isEqualTo(new LlmResponse("Hello there!", "stop", 12, 3, OK_BODY));
        server.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"model":"gpt-4o-mini",
                         "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}],
                         "temperature":0.5,"max_tokens":32,"stream":false,"top_p":0.9,"user":"tenant-a"}""")));
    }

    @Test
    void bodyAboveTheSizeLimitStreamedWithoutLengthFailsAsTooLargeWithoutBeingReadWhole() throws Exception {
        int limit = 4096;
        long huge = 256L * 1024 * 1024; // far more than the test heap would like to buffer
        AtomicLong written = new AtomicLong();
        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stub.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("{\"choices\":[{\"message\":{\"content\":\"".getBytes(StandardCharsets.UTF_8));
                while (written.get() < huge) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException clientGaveUp) {
                // expected: the client stops reading at the limit
            }
        });
        stub.start();
        try (LlmProvider limited = LlmProviders.openAiCompatible(OpenAiSettings.of(
                "http://127.0.0.1:" + stub.getAddress().getPort() + "/v1", API_KEY).toBuilder()
                .maxResponseBytes(limit).build())) {
            ProviderException e = catchThrowableOfType(ProviderException.class,
                    () -> limited.complete(request("job-big", "m", "hi", Duration.ofSeconds(30))));

            assertThat(e.errorClass()).isEqualTo(ErrorClass.RESPONSE_TOO_LARGE);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).contains("4096 bytes");
            assertThat(written.get()).as("the body was not read to its end").isLessThan(huge);
        } finally {
            stub.stop(0);
        }
    }

    @Test
    void bodyWhoseContentLengthIsAboveTheLimitFailsAsTooLarge() {
        provider.close();
        provider = LlmProviders.openAiCompatible(OpenAiSettings.of(server.baseUrl() + "/v1", API_KEY).toBuilder()
                .maxResponseBytes(1024).build());
        respond(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(OK_BODY.replace("Hello there!", "y".repeat(2000))));

        ProviderException e = catchThrowableOfType(ProviderException.class, () -> provider.complete(request("job-cl", "m")));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.RESPONSE_TOO_LARGE);
    }

    @Test
    void bodyOfExactlyTheLimitIsParsed() {
        provider.close();
        provider = LlmProviders.openAiCompatible(OpenAiSettings.of(server.baseUrl() + "/v1", API_KEY).toBuilder()
                .maxResponseBytes(1024).build());
        String body = OK_BODY + " ".repeat(1024 - OK_BODY.getBytes(StandardCharsets.UTF_8).length);
        respond(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body));

        assertThat(provider.complete(request("job-ok", "m")).text()).isEqualTo("Hello there!");
    }

    @Test
    void everyRequestNamesItsJobInTheJobIdHeader() {
        respond(aResponse().withStatus(200).withBody(OK_BODY));

        provider.complete(request("job-42", "small"));
        respond(aResponse().withStatus(503));
        failure(request("job-43", "small"));

        server.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader(OpenAiCompatibleProvider.JOB_ID_HEADER, equalTo("job-42")));
        server.verify(1, postRequestedFor(urlEqualTo(PATH)).withHeader(OpenAiCompatibleProvider.JOB_ID_HEADER, equalTo("job-43")));
    }

    @Test
    void unmappedModelPassesThroughAndNoAuthorizationIsSentWithoutKey() {
        respond(aResponse().withStatus(200).withBody(OK_BODY));
        try (LlmProvider keyless = LlmProviders.openAiCompatible(OpenAiSettings.of(server.baseUrl() + "/v1", null))) {
            keyless.complete(request("job-2", "llama3.2"));
        }

        server.verify(postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", absent())
                .withRequestBody(matchingJsonPath("$.model", equalTo("llama3.2"))));
    }

    @Test
    void tooManyRequestsIsRateLimitedWithRetryAfterSeconds() {
        respond(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withBody("{\"error\":{\"message\":\"Rate limit reached for requests\",\"type\":\"requests\"}}"));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.RATE_LIMITED);
        assertThat(e.httpStatus()).hasValue(429);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(e.getMessage()).contains("Rate limit reached").contains("job-7");
    }

    @Test
    void retryAfterMillisecondsHeaderWinsOverSeconds() {
        respond(aResponse().withStatus(429).withHeader("retry-after-ms", "1500").withHeader("Retry-After", "7"));

        assertThat(failure().retryAfter()).contains(Duration.ofMillis(1500));
    }

    @Test
    void retryAfterAsHttpDateIsTheDelayUntilThatDate() {
        Instant now = Instant.parse("2026-11-23T12:00:00Z");
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(30).atOffset(ZoneOffset.UTC));
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of(date)), (k, v) -> true);

        assertThat(RetryAfter.from(headers, now)).contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(date, now.plusSeconds(60))).contains(Duration.ZERO);
        assertThat(RetryAfter.parse("soon", now)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void serverErrorsAreTransient(int status) {
        respond(aResponse().withStatus(status).withBody("upstream trouble"));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(e.retryable()).isTrue();
        assertThat(e.httpStatus()).hasValue(status);
    }

    @Test
    void badRequestIsPermanentAndCarriesTheProvidersMessage() {
        respond(aResponse().withStatus(400).withBody("""
                {"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.",
                 "type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"""));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("maximum context length is 128000 tokens");
    }

    @ParameterizedTest
    @ValueSource(ints = {404, 422})
    void otherClientErrorsAreInvalidRequests(int status) {
        respond(aResponse().withStatus(status).withBody("{\"error\":\"model 'nope' not found\"}"));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("model 'nope' not found");
    }

    @ParameterizedTest
    @ValueSource(ints = {401, 403})
    void rejectedCredentialsAreAuthenticationErrorsWithoutLeakingTheKey(int status) {
        respond(aResponse().withStatus(status).withBody(
                "{\"error\":{\"message\":\"Incorrect API key provided: " + API_KEY + ". You can find your API key at https://platform.openai.com\"}}"));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.AUTHENTICATION);
        assertThat(e.getMessage()).contains("Incorrect API key provided: ***");
    }

    @Test
    void requestTimeoutStatusIsATimeout() {
        respond(aResponse().withStatus(408));

        assertThat(failure().errorClass()).isEqualTo(ErrorClass.TIMEOUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json at all",
            "[]",
            "{\"choices\":[]}",
            "{\"choices\":[{\"message\":{\"role\":\"assistant\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
            "{\"choices\":[{\"message\":{\"content\":\"hi\"}}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}",
            "{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}",
            "{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":\"many\",\"completion_tokens\":1}}",
            "{\"echo\":\"" + API_KEY + "\"}"})
    void garbledSuccessBodyIsAMalformedResponse(String body) {
        respond(aResponse().withStatus(200).withBody(body));

        ProviderException e = failure();

        assertThat(e.errorClass()).isEqualTo(ErrorClass.MALFORMED_RESPONSE);
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void refusedConnectionIsAConnectionError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (LlmProvider unreachable = LlmProviders.openAiCompatible(OpenAiSettings.of("http://127.0.0.1:" + closedPort + "/v1", API_KEY))) {
            ProviderException e = catchThrowableOfType(ProviderException.class, () -> unreachable.complete(request("job-3", "small")));

            assertThat(e.errorClass()).isEqualTo(ErrorClass.CONNECTION);
            assertThat(e.retryable()).isTrue();
            assertThat(e.getMessage()).doesNotContain(API_KEY);
            assertThat(unreachable.toString()).doesNotContain(API_KEY);
        }
    }

    @Test
    void responseSlowerThanTheRequestTimeoutIsATimeout() {
        respond(aResponse().withStatus(200).withBody(OK_BODY).withFixedDelay(3_000));
        long start = System.nanoTime();

        ProviderException e = failure(request("job-slow", "small", "hi", Duration.ofMillis(300)));

        assertThat(e.errorClass()).isEqualTo(ErrorClass.TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void apiKeyNeverAppearsInToString() {
        assertThat(provider.toString()).doesNotContain(API_KEY).contains("apiKey=<set>");
    }

    @Test
    void statusClassificationCoversTheWholeRange() {
        assertThat(OpenAiCompatibleProvider.classify(418)).isEqualTo(ErrorClass.INVALID_REQUEST);
        assertThat(OpenAiCompatibleProvider.classify(529)).isEqualTo(ErrorClass.SERVER_ERROR);
        assertThat(OpenAiCompatibleProvider.classify(302)).isEqualTo(ErrorClass.INVALID_REQUEST);
    }
}
