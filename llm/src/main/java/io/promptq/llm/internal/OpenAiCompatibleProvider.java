package io.promptq.llm.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.config.Durations;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.OpenAiSettings;
import io.promptq.llm.ProviderException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls any server speaking OpenAI's chat-completions API ({@code POST {baseUrl}/chat/completions},
 * non-streaming): OpenAI itself, Ollama, vLLM, LM Studio and the like.
 *
 * <p><b>Why the JDK's {@link HttpClient} and not the official {@code com.openai:openai-java} SDK.</b> The
 * SDK brings a Kotlin and OkHttp stack that would have to converge with the Kotlin that Javalin and
 * Resilience4j already pull in (the build enforces dependency convergence); its built-in retries would have
 * to be switched off anyway because retries belong to the worker's retry topics; and we need exact control
 * of the per-request timeout, of the mapping from HTTP status to {@link ErrorClass} and of
 * {@code Retry-After} parsing - which is most of what this class is. The wire format we use is small
 * (one request shape, four response fields), so Jackson on a {@code JsonNode} is enough.
 *
 * <p><b>Classification.</b> 2xx: parse {@code choices[0].message.content}, {@code finish_reason} and
 * {@code usage.prompt_tokens/completion_tokens} (the body itself is kept as {@link LlmResponse#body()}, for
 * batch jobs' pass-through), anything missing or garbled is MALFORMED_RESPONSE; a body
 * above {@code PROMPTQ_LLM_MAX_RESPONSE_BYTES} (any status) is RESPONSE_TOO_LARGE, read only up to the limit;
 * 429: RATE_LIMITED with {@code retry-after-ms} / {@code Retry-After} (seconds or HTTP-date); 408: TIMEOUT;
 * 401/403: AUTHENTICATION; other 4xx (400, 404, 422, context length exceeded...): INVALID_REQUEST with the
 * provider's message; 5xx: SERVER_ERROR; {@link HttpTimeoutException}: TIMEOUT; connect failures and other
 * I/O errors: CONNECTION. An interrupt aborts the call as TIMEOUT and keeps the interrupt flag.
 *
 * <p><b>Job id header.</b> Every request carries {@value #JOB_ID_HEADER}{@code : <jobId>}. OpenAI and other
 * servers ignore unknown headers; a gateway or proxy in front of the provider can log it to trace a call back to
 * its job, and a test stub counts calls per job with it.
 *
 * <p><b>Secrets.</b> The API key goes only into the {@code Authorization} header. It is never logged, never
 * in {@link #toString()}, and is masked in every exception message even if a server echoes it back.
 *
 * <p>{@link LlmRequest#extra()} entries become additional top-level body fields; a value that parses as JSON
 * (number, boolean, object...) is sent as such, otherwise as a string. They cannot replace {@code model},
 * {@code messages} or {@code stream}. With {@code max_completion_tokens} among them, {@code max_tokens} is
 * not sent (newer OpenAI models reject it); neither is it sent when {@code maxTokens <= 0} (server default).
 */
public final class OpenAiCompatibleProvider implements LlmProvider {

    /** Request header naming the promptq job a call serves, for provider-side tracing and call counting. */
    public static final String JOB_ID_HEADER = "X-Promptq-Job-Id";

    private static final Logger LOG = LoggerFactory.getLogger(OpenAiCompatibleProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "openai";
    private static final Set<String> RESERVED = Set.of("model", "messages", "stream");
    private static final int MAX_MESSAGE_CHARS = 500;
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    private final OpenAiSettings settings;
    private final URI endpoint;
    private final String displayEndpoint;
    private final HttpClient client;

    public OpenAiCompatibleProvider(OpenAiSettings settings) {
        this.settings = settings;
        this.endpoint = URI.create(settings.baseUrl() + "/chat/completions");
        this.displayEndpoint = endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() < 0 ? "" : ":" + endpoint.getPort()) + endpoint.getPath();
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .version("https".equalsIgnoreCase(endpoint.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        LOG.info("OpenAI-compatible provider at {} (API key {}, model map {})", displayEndpoint,
                settings.apiKey().isPresent() ? "set" : "not set", settings.modelMap());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public LlmResponse complete(LlmRequest request) {
        if (request.timeout().isZero() || request.timeout().isNegative()) {
            throw failure(ErrorClass.TIMEOUT, null, request, "no time left for the call (timeout " + request.timeout() + ")", null, null);
        }
        String providerModel = settings.providerModel(request.model());
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint)
                .timeout(request.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header(JOB_ID_HEADER, request.jobId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(request, providerModel)));
        settings.apiKey().ifPresent(key -> http.header("Authorization", "Bearer " + key));

        HttpResponse<InputStream> response;
        String body;
        try {
            response = client.send(http.build(), HttpResponse.BodyHandlers.ofInputStream());
            body = readBounded(response, settings.maxResponseBytes());
        } catch (HttpConnectTimeoutException e) {
            throw failure(ErrorClass.CONNECTION, null, request, "could not connect within " + settings.connectTimeout(), null, e);
        } catch (HttpTimeoutException e) {
            throw failure(ErrorClass.TIMEOUT, null, request, "no answer within " + Durations.format(request.timeout()), null, e);
        } catch (ConnectException e) {
            throw failure(ErrorClass.CONNECTION, null, request, "connection failed: " + e, null, e);
        } catch (IOException e) {
            throw failure(ErrorClass.CONNECTION, null, request, "I/O error: " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(ErrorClass.TIMEOUT, null, request, "call interrupted", null, e);
        }
        int status = response.statusCode();
        if (body == null) {
            throw failure(ErrorClass.RESPONSE_TOO_LARGE, status, request, "response body is above the limit of "
                    + settings.maxResponseBytes() + " bytes (PROMPTQ_LLM_MAX_RESPONSE_BYTES); not read further",
                    null, null);
        }
        if (status >= 200 && status < 300) {
            return parse(body, request, status);
        }
        ErrorClass errorClass = classify(status);
        Optional<Duration> retryAfter = RetryAfter.from(response.headers(), Instant.now());
        String message = errorMessage(body);
        throw failure(errorClass, status, request, message, retryAfter.orElse(null), null);
    }

    /**
     * The body as UTF-8 text, read while it streams in and given up (the stream closed, dropping the connection)
     * as soon as it passes {@code maxBytes} - or before reading if its {@code Content-Length} says it will - so a
     * huge answer is never buffered whole.
     *
     * @return the body, or null if it is above the limit
     */
    static String readBounded(HttpResponse<InputStream> response, int maxBytes) throws IOException {
        try (InputStream in = response.body()) {
            if (response.headers().firstValueAsLong("Content-Length").orElse(-1) > maxBytes) {
                return null;
            }
            byte[] bytes = in.readNBytes(maxBytes + 1);
            return bytes.length > maxBytes ? null : new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The error class of a non-2xx status. */
    static ErrorClass classify(int status) {
        if (status == 408) {
            return ErrorClass.TIMEOUT;
        }
        if (status == 429) {
            return ErrorClass.RATE_LIMITED;
        }
        if (status == 401 || status == 403) {
            return ErrorClass.AUTHENTICATION;
        }
        if (status >= 500) {
            return ErrorClass.SERVER_ERROR;
        }
        // Other 4xx (400, 404, 413, 422 ...) and unexpected 1xx/3xx: the request or the configured URL is wrong.
        return ErrorClass.INVALID_REQUEST;
    }

    private byte[] body(LlmRequest request, String providerModel) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", providerModel);
        ArrayNode messages = body.putArray("messages");
        for (LlmRequest.Message m : request.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
        body.put("temperature", request.temperature());
        if (request.maxTokens() > 0 && !request.extra().containsKey("max_completion_tokens")) {
            body.put("max_tokens", request.maxTokens());
        }
        body.put("stream", false);
        for (Map.Entry<String, String> e : request.extra().entrySet()) {
            if (!RESERVED.contains(e.getKey())) {
                body.set(e.getKey(), extraValue(e.getValue()));
            }
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    private static JsonNode extraValue(String value) {
        try {
            JsonNode parsed = JSON.readTree(value);
            if (parsed != null && !parsed.isMissingNode()) {
                return parsed;
            }
        } catch (JsonProcessingException notJson) {
            // a plain string
        }
        return JSON.getNodeFactory().textNode(value);
    }

    private LlmResponse parse(String body, LlmRequest request, int status) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw failure(ErrorClass.MALFORMED_RESPONSE, status, request, "response is not JSON: " + abbreviate(body), null, null);
        }
        if (root == null || !root.isObject()) {
            throw failure(ErrorClass.MALFORMED_RESPONSE, status, request, "response is not a JSON object: " + abbreviate(body), null, null);
        }
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        JsonNode finish = choice.path("finish_reason");
        JsonNode promptTokens = root.path("usage").path("prompt_tokens");
        JsonNode completionTokens = root.path("usage").path("completion_tokens");
        String missing = !content.isTextual() ? "choices[0].message.content"
                : !finish.isTextual() ? "choices[0].finish_reason"
                : !promptTokens.isIntegralNumber() ? "usage.prompt_tokens"
                : !completionTokens.isIntegralNumber() ? "usage.completion_tokens"
                : null;
        if (missing != null) {
            throw failure(ErrorClass.MALFORMED_RESPONSE, status, request, "response lacks a valid " + missing + ": " + abbreviate(body), null, null);
        }
        return new LlmResponse(content.asText(), finish.asText(), promptTokens.asLong(), completionTokens.asLong(), body);
    }

    /** The provider's own error message, from the shapes OpenAI, Ollama and vLLM use, else the raw body. */
    private static String errorMessage(String body) {
        if (body == null || body.isBlank()) {
            return "(empty body)";
        }
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isObject()) {
                JsonNode error = root.path("error");
                for (JsonNode candidate : new JsonNode[] {error.path("message"), error, root.path("message"), root.path("detail")}) {
                    if (candidate.isTextual() && !candidate.asText().isBlank()) {
                        return abbreviate(candidate.asText());
                    }
                }
            }
        } catch (JsonProcessingException notJson) {
            // fall through to the raw body
        }
        return abbreviate(body);
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_MESSAGE_CHARS ? oneLine : oneLine.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    private ProviderException failure(ErrorClass errorClass, Integer status, LlmRequest request, String detail,
            Duration retryAfter, Throwable cause) {
        String message = NAME + (status == null ? "" : " HTTP " + status) + " " + errorClass.name().toLowerCase(Locale.ROOT)
                + " from " + displayEndpoint + " for model " + request.model() + " (job " + request.jobId() + "): " + detail;
        return new ProviderException(errorClass, redact(message), status, retryAfter, cause);
    }

    /** Masks the API key wherever it might appear (servers sometimes echo it in error messages). */
    private String redact(String text) {
        return settings.apiKey().map(key -> text.replace(key, "***")).orElse(text);
    }

    @Override
    public void close() {
        client.shutdown();
        try {
            if (!client.awaitTermination(CLOSE_GRACE)) {
                client.shutdownNow();
            }
        } catch (InterruptedException e) {
            client.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleProvider[" + settings + "]";
    }
}
