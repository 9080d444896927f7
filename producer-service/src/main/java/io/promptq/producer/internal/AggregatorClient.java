package io.promptq.producer.internal;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Asks the aggregator's query API for job views ({@code GET /v1/jobs/{id}?wait=&after=}) and pages of a tenant's
 * jobs ({@code GET /v1/jobs}), forwarding the caller's
 * {@code Authorization} header. Answers the aggregator's status and body as they are; the handlers decide what the
 * caller sees. At most {@code maxRequests} requests are in flight at once (each holds one pooled HTTP/1.1
 * connection): further ones queue for a free slot instead of opening a burst of connections the aggregator's
 * backlog would drop. Thread-safe.
 */
public final class AggregatorClient implements AutoCloseable {

    /** Added to a request's wait: how long the aggregator may take beyond it before the request fails. */
    public static final Duration MARGIN = Duration.ofSeconds(10);

    private final URI base;
    private final HttpClient http;
    private final Semaphore slots;
    private final int maxRequests;

    /** A client with at most {@code maxRequests} requests in flight. */
    public AggregatorClient(URI base, int maxRequests) {
        if (maxRequests < 1) {
            throw new IllegalArgumentException("maxRequests must be at least 1, but was " + maxRequests);
        }
        this.maxRequests = maxRequests;
        this.slots = new Semaphore(maxRequests, true);
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.http = HttpClient.newBuilder().connectTimeout(MARGIN).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The aggregator's answer: its HTTP status and body. */
    public record Answer(int status, String body) {}

    /**
     * The job's view, held by the aggregator up to {@code wait} until the job is terminal (or its version exceeds
     * {@code after}).
     *
     * @throws Overloaded if no request slot frees up within {@link #MARGIN}
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
        if (!slots.tryAcquire(MARGIN.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Overloaded("all " + maxRequests + " requests to the aggregator at " + base + " are in flight "
                    + "and more wait for one; retry shortly");
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } finally {
            slots.release();
        }
    }

    /** Requests in flight now. */
    public int inFlight() {
        return maxRequests - slots.availablePermits();
    }

    /** Every request slot stayed taken for longer than a request may queue: a true overload of this producer. */
    public static final class Overloaded extends IOException {

        private static final long serialVersionUID = 1L;

        Overloaded(String message) {
            super(message);
        }
    }

    /**
     * A page of a tenant's jobs ({@code GET /v1/jobs?<query>}), the query string passed as it is.
     *
     * @throws IOException if the aggregator cannot be reached or does not answer in time
     */
    public Answer jobs(@Nullable String query, @Nullable String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/jobs"
                        + (query == null || query.isEmpty() ? "" : "?" + query)))
                .timeout(MARGIN).header("Accept", "application/json").GET();
        if (authorization != null && !authorization.isBlank()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    /**
     * A batch ({@code GET /v1/batches/{id}?tenant=}) or a page of a tenant's batches ({@code GET /v1/batches?...}):
     * {@code pathAndQuery} is the path below the base, already encoded.
     *
     * @throws IOException if the aggregator cannot be reached or does not answer in time
     */
    public Answer batches(String pathAndQuery, @Nullable String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(MARGIN).header("Accept", "application/json").GET();
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
