package io.promptq.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The OpenAI-compatible Files and Batches API of a promptq producer, as the {@code ./promptq batch} commands use it:
 * JDK {@link HttpClient}, JSON through Jackson trees. Files travel streamed both ways: an upload is a multipart body
 * concatenated from the file on disk, a download is copied from the response stream, so a 200 MB file is never in
 * memory. A non-2xx answer becomes a {@link BatchApiException} carrying the server's own message (OpenAI's
 * {@code {"error":{"message":...}}} envelope, or problem+json's {@code detail}/{@code title}).
 */
public final class BatchApi implements AutoCloseable {

    /** The endpoint every line of a promptq batch calls. */
    public static final String ENDPOINT = "/v1/chat/completions";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(30);

    private final URI base;
    private final @Nullable String token;
    private final HttpClient http;

    private BatchApi(URI base, @Nullable String token) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token == null || token.isBlank() ? null : token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** A client of the producer at {@code base} (e.g. {@code http://127.0.0.1:8080}), sending {@code token} if set. */
    public static BatchApi of(URI base, @Nullable String token) {
        return new BatchApi(base, token);
    }

    /** Thrown for an HTTP error answer or an unreachable server; the message is one line for the user. */
    public static final class BatchApiException extends RuntimeException {
        private final int status;

        BatchApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        /** The HTTP status, or 0 when the server could not be reached. */
        public int status() {
            return status;
        }
    }

    /** Uploads {@code file} with {@code purpose=batch} as a streamed multipart body; the FileObject. */
    public JsonNode upload(Path file) {
        String boundary = "promptq-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"purpose\"\r\n\r\n"
                + "batch\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + quoted(file.getFileName().toString()) + "\"\r\n"
                + "Content-Type: application/jsonl\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofString(head),
                    HttpRequest.BodyPublishers.ofFile(file), HttpRequest.BodyPublishers.ofString(tail));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return json(request("/v1/files").timeout(TRANSFER_TIMEOUT)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).POST(body));
    }

    /** Creates a batch of the uploaded {@code inputFileId}; the Batch object. */
    public JsonNode create(String inputFileId, String completionWindow, Map<String, String> metadata) {
        ObjectNode body = JSON.createObjectNode()
                .put("input_file_id", inputFileId)
                .put("endpoint", ENDPOINT)
                .put("completion_window", completionWindow);
        if (!metadata.isEmpty()) {
            ObjectNode meta = body.putObject("metadata");
            metadata.forEach(meta::put);
        }
        return json(request("/v1/batches").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The Batch object of {@code batchId}. */
    public JsonNode retrieve(String batchId) {
        return json(request("/v1/batches/" + segment(batchId)).GET());
    }

    /** Asks to cancel {@code batchId}; the Batch object (usually {@code cancelling}). */
    public JsonNode cancel(String batchId) {
        return json(request("/v1/batches/" + segment(batchId) + "/cancel").POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** One page of the caller's batches, newest first, after the batch id {@code after} if set. */
    public JsonNode list(@Nullable String after, int limit) {
        String query = "?limit=" + limit + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
        return json(request("/v1/batches" + query).GET());
    }

    /**
     * Streams the content of {@code fileId} into {@code target}: written to a temporary file next to it and moved in
     * place once complete, so an error answer or a broken transfer leaves no partial file.
     *
     * @return the bytes written
     */
    public long download(String fileId, Path target) {
        HttpResponse<InputStream> response = send(request("/v1/files/" + segment(fileId) + "/content")
                .timeout(TRANSFER_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw error(response.statusCode(), new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
            }
            Path absolute = target.toAbsolutePath();
            Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".part");
            try {
                long bytes = Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING);
                return bytes;
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save file " + fileId + " to " + target + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private JsonNode json(HttpRequest.Builder request) {
        HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw error(response.statusCode(), response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new BatchApiException(response.statusCode(), "unexpected answer from " + base + ": not JSON");
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new BatchApiException(0, "cannot reach the producer at " + base + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is it running? (--url)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatchApiException(0, "interrupted");
        }
    }

    /** The exception of an error answer: the server's message (OpenAI envelope or problem+json) and the status. */
    static BatchApiException error(int status, @Nullable String body) {
        return new BatchApiException(status, message(body, status) + " (HTTP " + status + ")");
    }

    /** The one-line message of an error body. */
    static String message(@Nullable String body, int status) {
        if (body != null && !body.isBlank()) {
            try {
                JsonNode root = JSON.readTree(body);
                for (JsonNode candidate : new JsonNode[] {root.path("error").path("message"), root.path("detail"),
                        root.path("title"), root.path("message")}) {
                    if (candidate.isTextual() && !candidate.asText().isBlank()) {
                        return oneLine(candidate.asText());
                    }
                }
            } catch (IOException notJson) {
                return oneLine(body);
            }
            return oneLine(body);
        }
        return "the producer answered HTTP " + status + " without a message";
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("\\s+", " ").trim();
        return line.length() <= 500 ? line : line.substring(0, 500) + "...";
    }

    /** Closes the HTTP client and its connections. */
    @Override
    public void close() {
        http.close();
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String quoted(String filename) {
        return filename.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "").replace("\n", "");
    }
}
