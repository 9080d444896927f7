package io.promptq.cli.internal.chaos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible chat-completions stub in the chaos JVM that counts calls per {@code X-Promptq-Job-Id} and can be
 * switched into a fault: 503 (outage), 429 with {@code Retry-After} (rate limit) or 401 (bad credentials). It lives in
 * the launcher rather than testkit's {@code OpenAiStub} because testkit pulls JUnit and Testcontainers onto the compile
 * class path, which a shipped command must not carry.
 */
public final class ProviderStub implements AutoCloseable {

    /** What every call is answered with until the next switch. */
    public enum Mode { OK, UNAVAILABLE_503, RATE_LIMITED_429, UNAUTHORIZED_401 }

    private static final String JOB_ID_HEADER = "X-Promptq-Job-Id";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration latency;
    private final Map<String, AtomicInteger> callsByJob = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refusedByJob = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> transientByJob = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong lastCallAt = new AtomicLong(System.nanoTime());
    private volatile Mode mode = Mode.OK;

    private ProviderStub(Duration latency) throws IOException {
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a stub on a free port of 127.0.0.1 that answers after {@code latency}. */
    public static ProviderStub start(Duration latency) {
        try {
            return new ProviderStub(Objects.requireNonNull(latency, "latency"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the provider stub on 127.0.0.1", e);
        }
    }

    /** The API root for {@code PROMPTQ_LLM_OPENAI_BASE_URL}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Switches how calls are answered from now on. */
    public void mode(Mode value) {
        mode = Objects.requireNonNull(value, "mode");
    }

    /** Calls per job so far (a copy). */
    public Map<String, Integer> callsByJob() {
        Map<String, Integer> copy = new java.util.HashMap<>();
        callsByJob.forEach((job, n) -> copy.put(job, n.get()));
        return copy;
    }

    /** Calls of {@code jobId} that were refused by a fault (each may justify one more call). */
    public int refused(String jobId) {
        AtomicInteger n = refusedByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** Calls of {@code jobId} answered 503 or 429: each is an attempt the worker may count toward dead-lettering. */
    public int transientRefused(String jobId) {
        AtomicInteger n = transientByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** Calls received so far. */
    public long totalCalls() {
        return calls.get();
    }

    /** {@link System#nanoTime()} of the latest call. */
    public long lastCallNanos() {
        return lastCallAt.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String job = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst(JOB_ID_HEADER), "(none)");
            callsByJob.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
            calls.incrementAndGet();
            lastCallAt.set(System.nanoTime());
            Mode now = mode;
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            switch (now) {
                case OK -> send(exchange, 200, completion(job));
                case UNAVAILABLE_503 -> refuse(exchange, job, 503, "server_error");
                case RATE_LIMITED_429 -> {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                    refuse(exchange, job, 429, "rate_limit_exceeded");
                }
                case UNAUTHORIZED_401 -> refuse(exchange, job, 401, "invalid_api_key");
            }
        }
    }

    private void refuse(HttpExchange exchange, String job, int status, String type) throws IOException {
        refusedByJob.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
        if (status != 401) {
            transientByJob.computeIfAbsent(job, k -> new AtomicInteger()).incrementAndGet();
        }
        send(exchange, status, "{\"error\":{\"message\":\"chaos stub: " + type + "\",\"type\":\"" + type
                + "\",\"param\":null,\"code\":\"" + type + "\"}}");
    }

    private static String completion(String job) {
        return "{\"id\":\"chatcmpl-chaos\",\"object\":\"chat.completion\",\"created\":" + System.currentTimeMillis() / 1000
                + ",\"model\":\"chaos-model\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                + "\"answer for " + job.replace("\"", "") + "\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
