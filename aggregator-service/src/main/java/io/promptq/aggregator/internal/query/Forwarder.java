package io.promptq.aggregator.internal.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.promptq.aggregator.QueryUnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a query to the aggregator instance that owns the key (its {@code application.server}), marked with
 * {@value #FORWARDED_HEADER} so that the receiver answers from its own stores and never forwards again. It carries
 * the caller's {@code Authorization} ({@link #CALLER_AUTHORIZATION}, set by {@link QueryRoutes} for each request), so
 * the owner authenticates the forwarded query as it would the caller's.
 */
public final class Forwarder implements AutoCloseable {

    /** Marks a request forwarded by another instance: answer locally (or 503), never forward. */
    public static final String FORWARDED_HEADER = "X-Promptq-Forwarded";
    /**
     * The {@code Authorization} of the request being served on this thread (null: none); set before every API route
     * runs, so a value never outlives its request's turn on the thread.
     */
    static final ThreadLocal<String> CALLER_AUTHORIZATION = new ThreadLocal<>();

    private final HttpClient http;
    private final Duration timeout;

    public Forwarder(Duration timeout) {
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * GETs {@code pathAndQuery} from {@code host}: the parsed body on 200, empty on 404.
     *
     * @throws QueryUnavailableException if the instance cannot be reached or answers anything else
     */
    public <T> Optional<T> get(HostInfo host, String pathAndQuery, Class<T> type) {
        return get(host, pathAndQuery, type, Duration.ZERO);
    }

    /** As {@link #get(HostInfo, String, Class)}, for a request the owner may hold up to {@code held} (a long poll). */
    public <T> Optional<T> get(HostInfo host, String pathAndQuery, Class<T> type, Duration held) {
        URI uri = URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout.plus(held)).header(FORWARDED_HEADER, "true")
                .header("Accept", "application/json");
        String authorization = CALLER_AUTHORIZATION.get();
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new QueryUnavailableException("the instance owning the data at " + host.host() + ":" + host.port()
                    + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryUnavailableException("interrupted while querying " + uri, e);
        }
        return switch (response.statusCode()) {
            case 200 -> Optional.of(parse(response.body(), type, uri));
            case 404 -> Optional.empty();
            default -> throw new QueryUnavailableException("the instance owning the data at " + host.host() + ":"
                    + host.port() + " answered HTTP " + response.statusCode() + ": " + abbreviate(response.body()));
        };
    }

    private static <T> T parse(String body, Class<T> type, URI uri) {
        try {
            return QueryApiJson.MAPPER.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new QueryUnavailableException("unreadable answer from " + uri + ": " + e.getOriginalMessage(), e);
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 300 ? body : body.substring(0, 300) + "...";
    }

    @Override
    public void close() {
        http.close();
    }
}
