package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ./promptq batch} against a real HTTP server: a JDK {@link HttpServer} implementing the exact routes and
 * shapes of the producer's OpenAI-compatible Files and Batches API (FileObject, Batch object, list object, OpenAI's
 * error envelope), each batch answering {@code GET /v1/batches/{id}} from a script of statuses. The producer and
 * aggregator serving these routes were built in parallel with this command; the test against the real stack (broker,
 * producer, worker, aggregator) follows once they are merged.
 */
class BatchCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<Map<String, String>> uploads = new CopyOnWriteArrayList<>();
    private final List<JsonNode> creations = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final Map<String, List<ObjectNode>> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    /** How many of the next {@code GET /v1/batches/{id}} are answered 503, as while the aggregator restarts. */
    private final AtomicInteger unavailable = new AtomicInteger();
    /** The statuses (with counts) the next created batch goes through, one per poll, the last one repeated. */
    private volatile List<ObjectNode> nextScript = List.of();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void submitUploadsTheFilesExactBytesAsMultipartWithPurposeBatchThenCreatesTheBatchAndPrintsItsId() throws Exception {
        Path input = dir.resolve("requests.jsonl");
        byte[] bytes = lines(3).getBytes(StandardCharsets.UTF_8);
        Files.write(input, bytes);
        nextScript = List.of(batch("validating", 0, 0, 0));

        int code = run("batch", "submit", input.toString(), "--url", url(), "--token", "tok-1", "--metadata",
                "team=eval", "--metadata", "run=7");

        assertThat(code).as(err.toString()).isZero();
        assertThat(uploads).hasSize(1);
        assertThat(uploads.getFirst()).containsEntry("purpose", "batch").containsEntry("filename", "requests.jsonl");
        assertThat(files.get(uploads.getFirst().get("id"))).as("the uploaded bytes").isEqualTo(bytes);
        JsonNode create = creations.getFirst();
        assertThat(create.path("input_file_id").asText()).isEqualTo(uploads.getFirst().get("id"));
        assertThat(create.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(create.path("completion_window").asText()).isEqualTo("24h");
        assertThat(create.path("metadata").path("team").asText()).isEqualTo("eval");
        assertThat(create.path("metadata").path("run").asText()).isEqualTo("7");
        assertThat(authorizations).containsOnly("Bearer tok-1");
        assertThat(out.toString().strip()).isEqualTo(scripts.keySet().iterator().next());
    }

    @Test
    void submitWaitFollowsTheBatchWithAProgressBarThroughABriefOutageAndExitsZeroWhenItCompletes() throws Exception {
        Path input = dir.resolve("ok.jsonl");
        Files.writeString(input, lines(4));
        nextScript = List.of(batch("validating", 0, 0, 0), batch("in_progress", 4, 1, 0), batch("in_progress", 4, 2, 1),
                batch("finalizing", 4, 3, 1), completed(batch("completed", 4, 3, 1)));
        unavailable.set(1);

        int code = run("batch", "submit", input.toString(), "--wait", "--url", url());

        assertThat(code).as(err.toString()).isZero();
        assertThat(err.toString()).contains("in_progress", "1/4 (1 ok, 0 failed) [#######", "3/4 (2 ok, 1 failed)",
                "lines/s", "4/4 (3 ok, 1 failed) [" + "#".repeat(30) + "] 100%", "completed; results: ./promptq batch results",
                "not readable now: The batch view is not available right now; retry. (HTTP 503); asking again");
        assertThat(err.toString().split("not readable now", -1)).as("said once").hasSize(2);
    }

    @Test
    void submitWaitExitsOneWhenTheBatchFailsValidationAndPrintsItsLineNumberedErrors() throws Exception {
        Path input = dir.resolve("bad.jsonl");
        Files.writeString(input, lines(2) + "not json\n");
        ObjectNode failed = batch("failed", 0, 0, 0);
        failed.putObject("errors").put("object", "list").putArray("data").addObject().put("code", "invalid_json_line")
                .put("message", "line is not valid JSON").put("param", (String) null).put("line", 3);
        nextScript = List.of(batch("validating", 0, 0, 0), failed);

        int code = run("batch", "submit", input.toString(), "--wait", "--url", url());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("failed", "line 3: line is not valid JSON");
    }

    @Test
    void resultsStreamsTheOutputAndErrorFilesExactBytesToDisk() throws Exception {
        String id = "batch_0193a5c2e4f0a1b2c3d4e5f6a7b8c9d0";
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 3_000_000; i++) {
            big.append("{\"id\":\"batch_req_").append(i).append("\",\"custom_id\":\"r-").append(i)
                    .append("\",\"response\":{\"status_code\":200,\"body\":{\"x\":\"é ✓\"}},\"error\":null}\n");
        }
        files.put("file-out", big.toString().getBytes(StandardCharsets.UTF_8));
        files.put("file-err", "{\"id\":\"batch_req_x\",\"custom_id\":\"r-x\",\"response\":null,\"error\":{\"code\":\"batch_expired\",\"message\":\"expired\"}}\n"
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode done = completed(batch("completed", 10, 9, 1));
        done.put("id", id).put("output_file_id", "file-out").put("error_file_id", "file-err");
        scripts.put(id, List.of(done));
        Path output = dir.resolve("out.jsonl");
        Path errors = dir.resolve("err.jsonl");

        int code = run("batch", "results", id, "-o", output.toString(), "--errors", errors.toString(), "--url", url());

        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(output)).isEqualTo(files.get("file-out"));
        assertThat(Files.readAllBytes(errors)).isEqualTo(files.get("file-err"));
        assertThat(out.toString()).contains("output: " + files.get("file-out").length + " bytes");
        assertThat(run("batch", "status", id, "--url", url())).isZero();
        assertThat(out.toString()).contains("usage        30 input + 15 output = 45 tokens", "output file  file-out");
    }

    @Test
    void resultsRefusesWithAClearMessageWhileTheBatchIsStillRunning() throws Exception {
        String id = "batch_0193a5c2e4f0ffffffffffffffffffff";
        scripts.put(id, List.of(batch("in_progress", 10, 2, 0)));
        Path output = dir.resolve("out.jsonl");

        int code = run("batch", "results", id, "-o", output.toString(), "--url", url());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("batch " + id + " is in_progress: its results are written when it ends");
        assertThat(output).doesNotExist();
    }

    @Test
    void anUnknownBatchPrintsTheServersMessageOnOneLine() {
        int code = run("batch", "status", "batch_nope", "--url", url());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("promptq: No batch found with id 'batch_nope'. (HTTP 404)");
    }

    @Test
    void statusCancelAndListShowTheBatch() {
        String id = "batch_0193a5c2e4f0aaaaaaaaaaaaaaaaaaaa";
        ObjectNode running = batch("in_progress", 10, 4, 1);
        running.put("id", id);
        scripts.put(id, new ArrayList<>(List.of(running)));

        assertThat(run("batch", "status", id, "--url", url())).isZero();
        assertThat(out.toString()).contains("status       in_progress", "4 completed, 1 failed, 10 total");
        assertThat(run("batch", "cancel", id, "--url", url())).isZero();
        assertThat(out.toString()).contains("batch " + id + " cancelling");
        assertThat(run("batch", "list", "--url", url())).isZero();
        assertThat(out.toString()).contains(id + " cancelling", "4/1/10");
    }

    // ------------------------------------------------------------------ the fake producer

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (method.equals("POST") && path.equals("/v1/files")) {
                upload(exchange, body);
            } else if (method.equals("GET") && path.matches("/v1/files/[^/]+/content")) {
                byte[] content = files.get(path.split("/")[3]);
                if (content == null) {
                    error(exchange, 404, "No such File object: " + path.split("/")[3]);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream o = exchange.getResponseBody()) {
                    for (int i = 0; i < content.length; i += 64 * 1024) {
                        o.write(content, i, Math.min(64 * 1024, content.length - i));
                    }
                }
            } else if (method.equals("POST") && path.equals("/v1/batches")) {
                JsonNode request = JSON.readTree(body);
                creations.add(request);
                String id = "batch_0193a5c2e4f0" + "%020x".formatted(creations.size()).substring(4);
                List<ObjectNode> script = new ArrayList<>();
                for (ObjectNode step : nextScript) {
                    script.add(step.deepCopy().put("id", id).put("input_file_id", request.path("input_file_id").asText()));
                }
                scripts.put(id, script);
                send(exchange, 200, script.getFirst());
            } else if (method.equals("POST") && path.matches("/v1/batches/[^/]+/cancel")) {
                String id = path.split("/")[3];
                List<ObjectNode> script = scripts.get(id);
                if (script == null) {
                    error(exchange, 404, "No batch found with id '" + id + "'.");
                    return;
                }
                ObjectNode cancelling = script.getLast().deepCopy().put("status", "cancelling");
                script.add(cancelling);
                send(exchange, 200, cancelling);
            } else if (method.equals("GET") && path.matches("/v1/batches/[^/]+")) {
                String id = path.split("/")[3];
                if (unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    error(exchange, 503, "The batch view is not available right now; retry.");
                    return;
                }
                List<ObjectNode> script = scripts.get(id);
                if (script == null) {
                    error(exchange, 404, "No batch found with id '" + id + "'.");
                    return;
                }
                int poll = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                send(exchange, 200, script.get(Math.min(poll, script.size() - 1)));
            } else if (method.equals("GET") && path.equals("/v1/batches")) {
                ObjectNode list = JSON.createObjectNode().put("object", "list");
                var data = list.putArray("data");
                scripts.values().forEach(s -> data.add(s.getLast()));
                list.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText())
                        .put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText())
                        .put("has_more", false);
                send(exchange, 200, list);
            } else {
                error(exchange, 404, "Invalid URL (" + method + " " + path + ")");
            }
        }
    }

    /** Parses the multipart upload: the parts {@code purpose} and {@code file}, the file stored by a new id. */
    private void upload(HttpExchange exchange, byte[] body) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        assertThat(contentType).startsWith("multipart/form-data; boundary=");
        byte[] delimiter = ("--" + contentType.substring(contentType.indexOf("boundary=") + 9)).getBytes(StandardCharsets.ISO_8859_1);
        Map<String, String> upload = new LinkedHashMap<>();
        byte[] fileBytes = null;
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int headersStart = at + delimiter.length + 2;
            int next = indexOf(body, delimiter, headersStart);
            if (next < 0) {
                break;
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), headersStart);
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            byte[] content = Arrays.copyOfRange(body, headersEnd + 4, next - 2);
            if (headers.contains("name=\"file\"")) {
                fileBytes = content;
                upload.put("filename", headers.replaceAll("(?s).*filename=\"([^\"]*)\".*", "$1"));
            } else if (headers.contains("name=\"purpose\"")) {
                upload.put("purpose", new String(content, StandardCharsets.UTF_8));
            }
            at = next;
        }
        if (fileBytes == null) {
            error(exchange, 400, "Missing file");
            return;
        }
        String id = "file-" + (uploads.size() + 1);
        upload.put("id", id);
        files.put(id, fileBytes);
        uploads.add(upload);
        ObjectNode file = JSON.createObjectNode().put("id", id).put("object", "file").put("bytes", fileBytes.length)
                .put("created_at", 1_764_662_400L).put("filename", upload.get("filename")).put("purpose", "batch")
                .put("status", "processed").put("status_details", (String) null).put("expires_at", 1_767_254_400L);
        send(exchange, 200, file);
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void send(HttpExchange exchange, int status, JsonNode json) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(json);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void error(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", message).put("type", "invalid_request_error")
                .put("param", (String) null).put("code", (String) null);
        send(exchange, status, root);
    }

    // ------------------------------------------------------------------ helpers

    private static ObjectNode batch(String status, long total, long completed, long failed) {
        ObjectNode b = JSON.createObjectNode().put("id", "batch_x").put("object", "batch")
                .put("endpoint", "/v1/chat/completions").put("input_file_id", "file-1").put("completion_window", "24h")
                .put("status", status).put("output_file_id", (String) null).put("error_file_id", (String) null)
                .put("created_at", 1_764_662_400L).put("expires_at", 1_764_748_800L);
        b.putObject("request_counts").put("total", total).put("completed", completed).put("failed", failed);
        return b;
    }

    private static ObjectNode completed(ObjectNode b) {
        b.put("completed_at", 1_764_662_460L).put("output_file_id", "file-out").put("error_file_id", "file-err");
        b.putObject("usage").put("input_tokens", 30).put("output_tokens", 15).put("total_tokens", 45);
        return b;
    }

    private static String lines(int n) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            text.append("{\"custom_id\":\"request-").append(i).append("\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",")
                    .append("\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Grüße ").append(i)
                    .append("\"}]}}\n");
        }
        return text.toString();
    }

    private int run(String... args) {
        CommandLine cli = PromptqCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }
}
