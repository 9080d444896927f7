package io.promptq.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A local server speaking OpenAI's chat-completions API ({@code POST /v1/chat/completions}, non-streaming) with
 * scripted behaviour, for tests that must count what reaches the provider: how many calls each job made, how many
 * are in flight right now, how many were answered when.
 *
 * <p>Each call is answered after a latency drawn from {@link Behaviour} with one of: 200 and a
 * {@code chat.completion} body (id, object, created, model, choices[0].message.content, finish_reason, usage), 503
 * (a transient failure, probability {@link Behaviour#transientRate()}) or 400 (a permanent one, probability
 * {@link Behaviour#permanentRate()}), both with OpenAI's {@code {"error":{...}}} body. The draws are seeded per job
 * and per call of that job: the n-th call of job j gets the same answer and latency in every run with the same
 * seed, whatever the interleaving of concurrent calls.
 *
 * <p>A call names its job in the {@value #JOB_ID_HEADER} header (promptq's OpenAI-compatible provider sends it);
 * calls without it count under {@value #NO_JOB}. The server binds 127.0.0.1 on a free port and answers each call
 * on its own virtual thread, so latency costs no platform thread. Close it when done.
 *
 * <p>It lives here, next to the local Kafka and registry, so that both tests (testkit's {@code OpenAiStub}) and the
 * launcher's {@code chaos} command can use it: it needs nothing but the JDK.
 */
public class LocalOpenAiStub implements AutoCloseable {

    /** The request header naming the job; the same name as promptq's provider sends (local-cluster cannot import it). */
    public static final String JOB_ID_HEADER = "X-Promptq-Job-Id";
    /** The job under which calls without {@value #JOB_ID_HEADER} are counted. */
    public static final String NO_JOB = "(none)";
    /** The path this server answers, below {@link #baseUrl()}'s host. */
    public static final String PATH = "/v1/chat/completions";

    private static final Pattern MODEL = Pattern.compile("\"model\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final Behaviour behaviour;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, AtomicInteger> callsByJob = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> transientByJob = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> refusedByJob = new ConcurrentHashMap<>();
    private final AtomicLong lastCallAt = new AtomicLong(System.nanoTime());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder calls = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder transientFailures = new LongAdder();
    private final LongAdder permanentFailures = new LongAdder();
    private final ConcurrentLinkedQueue<Long> answeredAt = new ConcurrentLinkedQueue<>();
    private final AtomicLong completionIds = new AtomicLong();
    private volatile Outage outage = Outage.NONE;
    private final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> closedByClient = new ConcurrentHashMap<>();
    private final Map<String, String> lastCompletions = new ConcurrentHashMap<>();
    private volatile boolean keepCompletions;

    /**
     * A fault switched on for every call from now on, over the scripted {@link Behaviour}: for chaos runs that need
     * the provider down (503), rate-limiting (429 with {@code Retry-After: 1}) or refusing the credentials (401) for a
     * while. Calls answered with 503 or 429 count as transient failures (each entitles its job to one more attempt).
     */
    public enum Outage { NONE, UNAVAILABLE_503, RATE_LIMITED_429, UNAUTHORIZED_401 }

    /** The constructor of a stub or of a subclass, for {@link #start(Behaviour, Constructor)}. */
    @FunctionalInterface
    protected interface Constructor<S extends LocalOpenAiStub> {
        S create(Behaviour behaviour) throws IOException;
    }

    /** A stub bound to a free port of 127.0.0.1; see {@link #start(Behaviour)}. */
    protected LocalOpenAiStub(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a stub on a free port of 127.0.0.1.
     *
     * @throws IllegalStateException if the server cannot bind
     */
    public static LocalOpenAiStub start(Behaviour behaviour) {
        return start(behaviour, LocalOpenAiStub::new);
    }

    /** Creates a stub (or a subclass's) with {@code constructor}; see {@link #start(Behaviour)}. */
    protected static <S extends LocalOpenAiStub> S start(Behaviour behaviour, Constructor<S> constructor) {
        Objects.requireNonNull(behaviour, "behaviour");
        try {
            return constructor.create(behaviour);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the OpenAI stub on 127.0.0.1", e);
        }
    }

    /** The API root a client is configured with, {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Calls received for {@code jobId} so far (counted when the request arrives). */
    public int calls(String jobId) {
        AtomicInteger n = callsByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** Calls received per job so far, a sorted snapshot. */
    public Map<String, Integer> callsByJob() {
        Map<String, Integer> snapshot = new TreeMap<>();
        callsByJob.forEach((job, n) -> snapshot.put(job, n.get()));
        return snapshot;
    }

    /** Calls received so far, answered or not. */
    public long totalCalls() {
        return calls.sum();
    }

    /** Calls received and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Calls answered with a completion. */
    public long succeeded() {
        return succeeded.sum();
    }

    /** Calls answered with 503. */
    public long transientFailures() {
        return transientFailures.sum();
    }

    /** Calls of {@code jobId} answered with 503 or 429 so far: each entitles the job to one more attempt. */
    public int transientFailures(String jobId) {
        AtomicInteger n = transientByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** Calls of {@code jobId} refused by an {@link Outage} (503, 429 or 401): each may justify one more call. */
    public int refused(String jobId) {
        AtomicInteger n = refusedByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** {@link System#nanoTime()} of the latest call (of the start while there was none). */
    public long lastCallNanos() {
        return lastCallAt.get();
    }

    /** Calls answered with 400. */
    public long permanentFailures() {
        return permanentFailures.sum();
    }

    /** Calls whose answer was sent within {@code window} before now (any status). */
    public long answeredWithin(Duration window) {
        long since = System.nanoTime() - window.toNanos();
        long n = 0;
        for (long at : answeredAt) {
            if (at - since >= 0) {
                n++;
            }
        }
        return n;
    }

    /** Switches every call from now on to {@code value} ({@link Outage#NONE}: back to the behaviour). */
    public void outage(Outage value) {
        outage = Objects.requireNonNull(value, "outage");
    }

    /**
     * Holds every call of {@code jobId} from now on: the stub answers 200 at once and then streams only whitespace
     * (a byte every 50 ms, valid before a JSON body) until {@link #release}, so the call hangs as a slow model's
     * would - and a client that gives up and closes the connection is noticed at the next byte and counted in
     * {@link #closedByClient}.
     */
    public void hold(String jobId) {
        held.putIfAbsent(Objects.requireNonNull(jobId, "jobId"), new CountDownLatch(1));
    }

    /** Lets the held calls of {@code jobId} finish with their answer. */
    public void release(String jobId) {
        CountDownLatch latch = held.remove(jobId);
        if (latch != null) {
            latch.countDown();
        }
    }

    /** How many held calls of {@code jobId} ended because the client closed the connection. */
    public int closedByClient(String jobId) {
        AtomicInteger n = closedByClient.get(jobId);
        return n == null ? 0 : n.get();
    }

    /**
     * Keeps (or stops keeping) the last successful body sent to each job, for {@link #lastCompletion}: off by
     * default, since a long chaos run would hold every body.
     */
    public void keepCompletions(boolean keep) {
        keepCompletions = keep;
    }

    /** The exact last successful body sent for {@code jobId} while {@link #keepCompletions} was on, or null. */
    public @Nullable String lastCompletion(String jobId) {
        return lastCompletions.get(jobId);
    }

    /** Forgets every count; the behaviour and its per-job draws start over too. */
    public void reset() {
        callsByJob.clear();
        transientByJob.clear();
        refusedByJob.clear();
        calls.reset();
        succeeded.reset();
        transientFailures.reset();
        permanentFailures.reset();
        answeredAt.clear();
        lastCompletions.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, error("no route " + exchange.getRequestURI().getPath(), "invalid_request_error"));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, error("use POST", "invalid_request_error"));
                return;
            }
            String body = readBody(exchange.getRequestBody());
            String jobId = Objects.requireNonNullElse(exchange.getRequestHeaders().getFirst(JOB_ID_HEADER), NO_JOB);
            int call = callsByJob.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
            calls.increment();
            lastCallAt.set(System.nanoTime());
            CountDownLatch hold = held.get(jobId);
            if (hold != null) {
                holdUntilReleased(exchange, jobId, call, model(body), hold);
                return;
            }
            inFlight.incrementAndGet();
            Answer answer;
            try {
                answer = answer(jobId, call, model(body));
            } finally {
                answeredAt.add(System.nanoTime());
                inFlight.decrementAndGet();
            }
            if (answer != null) {
                if (answer.status() == 429) {
                    exchange.getResponseHeaders().set("Retry-After", "1");
                }
                send(exchange, answer.status(), answer.json());
            }
        }
    }

    /** Streams whitespace until {@code hold} is released (then the answer) or the client closes the connection. */
    private void holdUntilReleased(HttpExchange exchange, String jobId, int call, String model, CountDownLatch hold) {
        inFlight.incrementAndGet();
        try {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            while (!hold.await(50, TimeUnit.MILLISECONDS)) {
                out.write(' ');
                out.flush();
            }
            out.write(completion(jobId, call, model).getBytes(StandardCharsets.UTF_8));
            out.close();
            succeeded.increment();
        } catch (IOException e) {
            closedByClient.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            answeredAt.add(System.nanoTime());
            inFlight.decrementAndGet();
        }
    }

    /** The answer to the {@code call}-th call of {@code jobId}, after its latency; null if interrupted. */
    private @Nullable Answer answer(String jobId, int call, String model) {
        SplittableRandom random = new SplittableRandom(behaviour.seed() * 31 + jobId.hashCode() * 1_000_003L + call);
        Duration latency = behaviour.latency(random);
        double draw = random.nextDouble();
        try {
            Thread.sleep(latency);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        Outage now = outage;
        if (now != Outage.NONE) {
            refusedByJob.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
        }
        switch (now) {
            case UNAVAILABLE_503, RATE_LIMITED_429 -> {
                transientFailures.increment();
                transientByJob.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
                return now == Outage.UNAVAILABLE_503
                        ? new Answer(503, error("stub: outage, call " + call + " of job " + jobId, "server_error"))
                        : new Answer(429, error("stub: rate limited, call " + call + " of job " + jobId, "rate_limit_exceeded"));
            }
            case UNAUTHORIZED_401 -> {
                permanentFailures.increment();
                return new Answer(401, error("stub: invalid api key", "invalid_request_error"));
            }
            case NONE -> { }
        }
        if (draw < behaviour.transientRate()) {
            transientFailures.increment();
            transientByJob.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
            return new Answer(503, error("stub: transient failure of call " + call + " of job " + jobId, "server_error"));
        }
        if (draw < behaviour.transientRate() + behaviour.permanentRate()) {
            permanentFailures.increment();
            return new Answer(400, error("stub: permanent failure of call " + call + " of job " + jobId, "invalid_request_error"));
        }
        succeeded.increment();
        return new Answer(200, completion(jobId, call, model));
    }

    private record Answer(int status, String json) {}

    private String completion(String jobId, int call, String model) {
        String body = completionBody(jobId, call, model);
        if (keepCompletions) {
            lastCompletions.put(jobId, body);
        }
        return body;
    }

    private String completionBody(String jobId, int call, String model) {
        String content = "stub answer " + call + " for " + jobId;
        int promptTokens = 10;
        int completionTokens = 5;
        return "{\"id\":\"chatcmpl-stub-" + completionIds.incrementAndGet() + "\",\"object\":\"chat.completion\","
                + "\"created\":" + System.currentTimeMillis() / 1000 + ",\"model\":" + quote(model) + ","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(content)
                + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
                + ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}";
    }

    private static String error(String message, String type) {
        return "{\"error\":{\"message\":" + quote(message) + ",\"type\":\"" + type + "\",\"param\":null,\"code\":null}}";
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String readBody(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The request's {@code model} (simple escapes undone), or "stub-model" if it has none. */
    private static String model(String body) {
        Matcher m = MODEL.matcher(body);
        return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : "stub-model";
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + baseUrl() + ", " + behaviour + ", calls=" + totalCalls() + "]";
    }

    /**
     * How the stub answers: latency uniform in [{@code minLatency}, {@code maxLatency}] (equal bounds = fixed),
     * then 503 with probability {@code transientRate}, 400 with probability {@code permanentRate}, else 200.
     *
     * @param minLatency shortest latency, not negative
     * @param maxLatency longest latency, not shorter than {@code minLatency}
     * @param transientRate probability of a 503, in [0, 1]
     * @param permanentRate probability of a 400, in [0, 1 - transientRate]
     * @param seed seed of the per-job, per-call draws
     */
    public record Behaviour(Duration minLatency, Duration maxLatency, double transientRate, double permanentRate, long seed) {

        public Behaviour {
            Objects.requireNonNull(minLatency, "minLatency");
            Objects.requireNonNull(maxLatency, "maxLatency");
            if (minLatency.isNegative()) {
                throw new IllegalArgumentException("minLatency must not be negative, but was " + minLatency);
            }
            if (maxLatency.compareTo(minLatency) < 0) {
                throw new IllegalArgumentException("maxLatency must be at least minLatency " + minLatency + ", but was " + maxLatency);
            }
            if (!(transientRate >= 0 && transientRate <= 1)) {
                throw new IllegalArgumentException("transientRate must be in [0, 1], but was " + transientRate);
            }
            if (!(permanentRate >= 0 && transientRate + permanentRate <= 1)) {
                throw new IllegalArgumentException("permanentRate must be in [0, 1 - transientRate], but was " + permanentRate);
            }
        }

        /** Answers every call at once with a completion. */
        public static Behaviour instant() {
            return new Behaviour(Duration.ZERO, Duration.ZERO, 0, 0, 42);
        }

        /** This behaviour with a fixed latency. */
        public Behaviour withFixedLatency(Duration latency) {
            return new Behaviour(latency, latency, transientRate, permanentRate, seed);
        }

        /** This behaviour with a latency uniform in [min, max]. */
        public Behaviour withUniformLatency(Duration min, Duration max) {
            return new Behaviour(min, max, transientRate, permanentRate, seed);
        }

        /** This behaviour with 503s at {@code rate}. */
        public Behaviour withTransientRate(double rate) {
            return new Behaviour(minLatency, maxLatency, rate, permanentRate, seed);
        }

        /** This behaviour with 400s at {@code rate}. */
        public Behaviour withPermanentRate(double rate) {
            return new Behaviour(minLatency, maxLatency, transientRate, rate, seed);
        }

        /** This behaviour with another seed. */
        public Behaviour withSeed(long value) {
            return new Behaviour(minLatency, maxLatency, transientRate, permanentRate, value);
        }

        Duration latency(SplittableRandom random) {
            long min = minLatency.toNanos();
            long span = maxLatency.toNanos() - min;
            return Duration.ofNanos(span == 0 ? min : min + random.nextLong(span + 1));
        }
    }
}
