package io.promptq.producer.loadgen.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.promptq.client.JobRequest;
import io.promptq.producer.http.JobJson;
import io.promptq.producer.loadgen.LoadTarget;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Sends jobs to a producer service: one job per {@code POST /v1/jobs}, or several per
 * {@code POST /v1/jobs/batch} (JSON array), over the JDK {@link HttpClient} (HTTP/1.1, keep-alive).
 */
public final class HttpSink implements Sink {

    private final LoadTarget.Http target;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final URI single;
    private final URI batch;

    public HttpSink(LoadTarget.Http target) {
        this.target = target;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(target.requestTimeout()).build();
        String base = target.baseUrl().toString().replaceAll("/+$", "");
        this.single = URI.create(base + "/v1/jobs");
        this.batch = URI.create(base + "/v1/jobs/batch");
    }

    @Override
    public CompletableFuture<List<String>> send(List<JobRequest> jobs) {
        byte[] body;
        URI uri;
        if (jobs.size() == 1) {
            body = JobJson.write(jobs.get(0)).toString().getBytes(StandardCharsets.UTF_8);
            uri = single;
        } else {
            ArrayNode array = JobJson.mapper().createArrayNode();
            jobs.forEach(job -> array.add(JobJson.write(job)));
            body = array.toString().getBytes(StandardCharsets.UTF_8);
            uri = batch;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(target.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        target.bearerToken().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    if (error != null) {
                        return Collections.nCopies(jobs.size(), "io_error");
                    }
                    return jobs.size() == 1 ? Collections.singletonList(single(response.statusCode()))
                            : batchOutcomes(response, jobs.size());
                });
    }

    private static String single(int status) {
        return status == 202 ? null : reasonOf(status);
    }

    private static List<String> batchOutcomes(HttpResponse<byte[]> response, int size) {
        if (response.statusCode() != 200) {
            return Collections.nCopies(size, reasonOf(response.statusCode()));
        }
        try {
            JsonNode results = JobJson.mapper().readTree(response.body()).path("results");
            List<String> outcomes = new ArrayList<>(Collections.nCopies(size, "io_error"));
            for (JsonNode result : results) {
                int index = result.path("index").asInt(-1);
                if (index >= 0 && index < size) {
                    outcomes.set(index, single(result.path("status").asInt()));
                }
            }
            return outcomes;
        } catch (IOException e) {
            return Collections.nCopies(size, "io_error");
        }
    }

    /** The reason tag of an HTTP status, matching the producer's rejection reasons. */
    static String reasonOf(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 503 -> "unavailable";
            default -> "http_" + status;
        };
    }

    @Override
    public void close() {
        http.close();
        executor.close();
    }
}
