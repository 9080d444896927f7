package io.promptq.aggregator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.promptq.aggregator.deadletters.DeadLetterDetail;
import io.promptq.aggregator.deadletters.DeadLetterFilter;
import io.promptq.aggregator.deadletters.DeadLetterPage;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.internal.query.TotalsList;
import io.promptq.aggregator.internal.query.WindowsList;
import io.promptq.aggregator.stats.StatsKey;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A small client of the aggregator's query API (JDK {@code HttpClient} + Jackson), for the launcher's
 * {@code promptq stats} and {@code promptq demo} and for tests. Any aggregator instance can be asked:
 * it forwards to the owner of the data. Thread-safe; close it to release the HTTP client.
 *
 * <pre>{@code
 * try (AggregatorClient client = AggregatorClient.create("http://127.0.0.1:8083")) {
 *     JobStatsView overall = client.awaitTotals(t -> t.total() >= 1000, Duration.ofMinutes(1));
 *     System.out.println(overall.succeeded() + " succeeded, p95 " + overall.providerLatency().p95Ms() + " ms");
 * }
 * }</pre>
 */
public final class AggregatorClient implements AutoCloseable {

    /** Timeout of one request unless given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final @Nullable String authorization;

    private AggregatorClient(URI base, Duration timeout, @Nullable String bearerToken) {
        this.authorization = bearerToken == null || bearerToken.isBlank() ? null : "Bearer " + bearerToken.trim();
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A client of the aggregator at {@code baseUrl}, e.g. {@code http://127.0.0.1:8083}. */
    public static AggregatorClient create(String baseUrl) {
        return create(URI.create(baseUrl), DEFAULT_TIMEOUT);
    }

    public static AggregatorClient create(URI baseUrl, Duration timeout) {
        return create(baseUrl, timeout, null);
    }

    /**
     * A client sending {@code Authorization: Bearer <bearerToken>} with every request: a tenant's token for its jobs,
     * an analyst's read token for statistics; null or blank sends none.
     */
    public static AggregatorClient create(URI baseUrl, Duration timeout, @Nullable String bearerToken) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(timeout, "timeout");
        if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
            throw new IllegalArgumentException("baseUrl must be an http(s) URL, but was " + baseUrl);
        }
        return new AggregatorClient(baseUrl, timeout, bearerToken);
    }

    /** The all-time totals over every job (zeros before the first result). */
    public JobStatsView totals() {
        return get("/v1/stats/totals", JobStatsView.class).orElseThrow();
    }

    /** The all-time totals of one scope; empty if none of its jobs was seen. */
    public Optional<JobStatsView> totals(StatsKey scope) {
        return get("/v1/stats/totals?scope=" + encode(scope.toString()), JobStatsView.class);
    }

    /** Every all-time aggregate (overall, each model, each tenant), sorted by key. */
    public List<JobStatsView> allTotals() {
        return get("/v1/stats/totals/all", TotalsList.class).map(TotalsList::totals).orElse(List.of());
    }

    /** The windows of {@code scope} (overall or a model) overlapping [{@code from}, {@code to}], oldest first. */
    public List<JobStatsView> windows(StatsKey scope, Instant from, Instant to) {
        return get("/v1/stats/windows?scope=" + encode(scope.toString()) + "&from=" + from.toEpochMilli() + "&to="
                + to.toEpochMilli(), WindowsList.class).map(WindowsList::windows).orElse(List.of());
    }

    /** The first terminal result of a job; empty if the aggregator does not know it. */
    public Optional<JobResultView> jobResult(String jobId) {
        return get("/v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20") + "/result",
                JobResultView.class);
    }

    /**
     * The job's view, held by the aggregator up to {@code wait} until the job is terminal (or, with {@code after},
     * until its version exceeds {@code after}); empty if the job is unknown.
     */
    public Optional<JobView> jobView(String jobId, Duration wait, @Nullable Long after) {
        return get("/v1/jobs/" + URLEncoder.encode(jobId, StandardCharsets.UTF_8).replace("+", "%20") + "?wait="
                + wait.toMillis() + "ms" + (after == null ? "" : "&after=" + after), JobView.class, timeout.plus(wait));
    }

    /**
     * A page of a tenant's jobs, newest first ({@code GET /v1/jobs}); empty when the aggregator answers 404 (a tenant
     * other than the token's).
     *
     * @param tenant the tenant (required without job tokens; with them, the token's by default)
     * @param status job states, comma-separated; null: all
     * @param since an ISO-8601 instant or a duration back from now ({@code 1h}); null: all retained jobs
     * @param cursor the previous page's {@link JobPage#nextCursor()}; null: the first page
     * @param limit jobs per page; null: the aggregator's default
     */
    public Optional<JobPage> jobs(@Nullable String tenant, @Nullable String status, @Nullable String since,
            @Nullable String cursor, @Nullable Integer limit) {
        StringBuilder query = new StringBuilder();
        append(query, "tenant", tenant);
        append(query, "status", status);
        append(query, "since", since);
        append(query, "cursor", cursor);
        append(query, "limit", limit == null ? null : limit.toString());
        return get("/v1/jobs" + query, JobPage.class);
    }

    private static void append(StringBuilder query, String name, @Nullable String value) {
        if (value != null) {
            query.append(query.isEmpty() ? '?' : '&').append(name).append('=').append(encode(value));
        }
    }

    /**
     * A page of the console's dead letters, newest first ({@code GET /v1/console/dead-letters}): at most {@code limit}
     * matching {@code filter}, after {@code cursor} (null: from the newest).
     */
    public DeadLetterPage deadLetters(DeadLetterFilter filter, @Nullable String cursor, int limit) {
        StringBuilder query = new StringBuilder("/v1/console/dead-letters?limit=").append(limit);
        appendParam(query, "reason", filter.reason());
        appendParam(query, "model", filter.model());
        appendParam(query, "tenant", filter.tenant());
        appendParam(query, "since", filter.since() == null ? null : filter.since().toString());
        appendParam(query, "until", filter.until() == null ? null : filter.until().toString());
        appendParam(query, "cursor", cursor);
        return get(query.toString(), DeadLetterPage.class).orElseThrow(() -> new AggregatorClientException(404,
                "the aggregator at " + base + " has no dead-letter console (an older version?)", null));
    }

    /** One dead letter read back from Kafka ({@code id} = {@code <partition>-<offset>}); empty if there is none. */
    public Optional<DeadLetterDetail> deadLetter(String id) {
        return get("/v1/console/dead-letters/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"),
                DeadLetterDetail.class);
    }

    private static void appendParam(StringBuilder query, String name, @Nullable String value) {
        if (value != null && !value.isEmpty()) {
            query.append('&').append(name).append('=').append(encode(value));
        }
    }

    /** Whether the aggregator reports ready (Kafka Streams RUNNING). */
    public boolean isReady() {
        try {
            return send("/health/ready").statusCode() == 200;
        } catch (AggregatorClientException e) {
            return false;
        }
    }

    /**
     * Polls the overall totals until {@code condition} holds, riding over 503s while the aggregator starts.
     *
     * @return the first totals that satisfy {@code condition}
     * @throws AggregatorClientException if it does not hold within {@code timeout} (with the last totals seen)
     */
    public JobStatsView awaitTotals(Predicate<JobStatsView> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JobStatsView last = null;
        AggregatorClientException lastError = null;
        while (true) {
            try {
                last = totals();
                if (condition.test(last)) {
                    return last;
                }
            } catch (AggregatorClientException e) {
                if (!e.isRetriable()) {
                    throw e;
                }
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AggregatorClientException(lastError == null ? 0 : lastError.status(),
                        "totals did not reach the expected state within " + timeout + "; last seen: "
                                + (last == null ? "none" : "total=" + last.total()), lastError);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AggregatorClientException(0, "interrupted", e);
            }
        }
    }

    private <T> Optional<T> get(String pathAndQuery, Class<T> type) {
        return get(pathAndQuery, type, timeout);
    }

    private <T> Optional<T> get(String pathAndQuery, Class<T> type, Duration requestTimeout) {
        HttpResponse<String> response = send(pathAndQuery, requestTimeout);
        int status = response.statusCode();
        if (status == 404) {
            return Optional.empty();
        }
        if (status != 200) {
            throw new AggregatorClientException(status, "GET " + pathAndQuery + " answered " + status + ": "
                    + problemDetail(response.body()), null);
        }
        try {
            return Optional.of(QueryApiJson.MAPPER.readValue(response.body(), type));
        } catch (JsonProcessingException e) {
            throw new AggregatorClientException(status, "unreadable answer to GET " + pathAndQuery + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private HttpResponse<String> send(String pathAndQuery) {
        return send(pathAndQuery, timeout);
    }

    private HttpResponse<String> send(String pathAndQuery, Duration requestTimeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(requestTimeout)
                .header("Accept", "application/json");
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AggregatorClientException(0, "cannot reach the aggregator at " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AggregatorClientException(0, "interrupted while querying " + base, e);
        }
    }

    private static String problemDetail(String body) {
        try {
            JsonNode node = QueryApiJson.MAPPER.readTree(body);
            if (node != null && node.hasNonNull("detail")) {
                return node.get("detail").asText();
            }
        } catch (JsonProcessingException e) {
            // not a problem document: show the raw body
        }
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
    }
}
