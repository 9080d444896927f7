package io.promptq.client.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.promptq.client.CancelOutcome;
import io.promptq.client.JobListQuery;
import io.promptq.client.JobPage;
import io.promptq.client.JobStatusException;
import io.promptq.client.JobView;
import io.promptq.client.StatusApiConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Asks the producer's {@code GET /v1/jobs/{id}} for a job's view, with the configured bearer token; {@link #await}
 * long-polls it ({@code ?wait=}) until the job is terminal; {@link #cancel} posts {@code /v1/jobs/{id}/cancel} and
 * {@link #list} gets {@code GET /v1/jobs}. Thread-safe.
 */
public final class StatusApiClient implements AutoCloseable {

    /** The longest one long poll asks for; the producer caps it further ({@code PROMPTQ_PRODUCER_MAX_WAIT}). */
    static final Duration MAX_POLL = Duration.ofSeconds(30);
    private static final Duration MARGIN = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final StatusApiClient UNCONFIGURED = new StatusApiClient(null, null, null);

    private final @Nullable URI base;
    private final @Nullable String token;
    private final @Nullable HttpClient http;

    private StatusApiClient(@Nullable URI base, @Nullable String token, @Nullable HttpClient http) {
        this.base = base;
        this.token = token;
        this.http = http;
    }

    /** A client of the API in {@code config}; one that fails naming the missing key if it has no URL. */
    public static StatusApiClient of(StatusApiConfig config) {
        if (config.url() == null) {
            return UNCONFIGURED;
        }
        String text = config.url().toString();
        URI base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        return new StatusApiClient(base, config.token(), HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build());
    }

    /** The client of no API: every query fails naming {@link StatusApiConfig#URL}. */
    public static StatusApiClient unconfigured() {
        return UNCONFIGURED;
    }

    public Optional<JobView> status(String jobId) {
        return get(jobId, Duration.ZERO);
    }

    public JobView await(String jobId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            Optional<JobView> view = get(jobId, left.compareTo(MAX_POLL) > 0 ? MAX_POLL : left);
            if (view.isPresent() && view.get().terminal()) {
                return view.get();
            }
            if (System.nanoTime() >= deadline) {
                throw new JobStatusException(view.isPresent() ? 0 : 404, view.isPresent()
                        ? "job " + jobId + " is still " + view.get().state() + " after " + timeout
                        : "job " + jobId + " is unknown (or another tenant's)", null);
            }
            if (view.isEmpty()) {
                sleep(Duration.ofMillis(Math.min(500, left.toMillis()))); // not materialized yet: no long poll to hold
            }
        }
    }

    /**
     * Cancels the job ({@code POST /v1/jobs/{id}/cancel}): a terminal job is answered with its state and nothing is
     * written; otherwise the request is written and the job's state right after it is asked.
     */
    public CancelOutcome cancel(String jobId) {
        URI uri = URI.create(requireBase() + "/v1/jobs/" + pathSegment(jobId) + "/cancel");
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).timeout(MARGIN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")), uri);
        return switch (response.statusCode()) {
            case 200 -> {
                JsonNode answer = parse(response.body(), uri, JsonNode.class);
                yield new CancelOutcome(jobId, false, answer.path("state").asText(null));
            }
            case 202 -> new CancelOutcome(jobId, true, status(jobId).map(JobView::state).orElse(null));
            default -> throw refused("POST", uri, response);
        };
    }

    /** A page of the tenant's jobs ({@code GET /v1/jobs}). */
    public JobPage list(JobListQuery query) {
        String parameters = query.queryString();
        URI uri = URI.create(requireBase() + "/v1/jobs" + (parameters.isEmpty() ? "" : "?" + parameters));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).timeout(MARGIN).GET(), uri);
        if (response.statusCode() != 200) {
            throw refused("GET", uri, response);
        }
        return parse(response.body(), uri, JobPage.class);
    }

    private Optional<JobView> get(String jobId, Duration wait) {
        URI uri = URI.create(requireBase() + "/v1/jobs/" + pathSegment(jobId)
                + (wait.isZero() ? "" : "?wait=" + wait.toMillis() + "ms"));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).timeout(wait.plus(MARGIN)).GET(), uri);
        return switch (response.statusCode()) {
            case 200 -> Optional.of(parse(response.body(), uri, JobView.class));
            case 404 -> Optional.empty();
            default -> throw refused("GET", uri, response);
        };
    }

    private URI requireBase() {
        if (base == null || http == null) {
            throw new JobStatusException(0, "no job status API configured: set " + StatusApiConfig.URL.name()
                    + " to the producer service's URL (e.g. http://promptq-producer:8080)", null);
        }
        return base;
    }

    private HttpResponse<String> send(HttpRequest.Builder request, URI uri) {
        request.header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new JobStatusException(0, "cannot reach the job status API at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStatusException(0, "interrupted while asking " + uri, e);
        }
    }

    private static JobStatusException refused(String method, URI uri, HttpResponse<String> response) {
        return new JobStatusException(response.statusCode(), method + " " + uri + " answered "
                + response.statusCode() + ": " + abbreviate(response.body()), null);
    }

    private static String pathSegment(String jobId) {
        return URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> T parse(String body, URI uri, Class<T> type) {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new JobStatusException(200, "unreadable answer from " + uri + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobStatusException(0, "interrupted", e);
        }
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
    }
}
