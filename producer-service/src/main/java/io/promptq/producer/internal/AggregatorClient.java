package io.promptq.producer.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Asks the aggregator's query API for job views ({@code GET /v1/jobs/{id}?wait=&after=}), forwarding the caller's
 * {@code Authorization} header. Answers the aggregator's status and body as they are; the handlers decide what the
 * caller sees. Thread-safe.
 */
public final class AggregatorClient implements AutoCloseable {

    /** Added to a request's wait: how long the aggregator may take beyond it before the request fails. */
    public static final Duration MARGIN = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http;

    public AggregatorClient(URI base) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The aggregator's answer: its HTTP status and body. */
    public record Answer(int status, String body) {}

    /**
     * The job's view, held by the aggregator up to {@code wait} until the job is terminal (or its version exceeds
     * {@code after}).
     *
     * @throws IOException if the aggregator cannot be reached or does not answer in time
     */
    public Answer jobView(String jobId, Duration wait, @Nullable Long after, @Nullable String authorization)
            throws IOException, InterruptedException {
        String path = "/v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20") + "?wait="
                + wait.toMillis() + "ms" + (after == null ? "" : "&after=" + after);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(wait.plus(MARGIN))
                .header("Accept", "application/json").GET();
        if (authorization != null && !authorization.isBlank()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /** The aggregator's base URL. */
    public URI base() {
        return base;
    }

    @Override
    public void close() {
        http.close();
    }
}
