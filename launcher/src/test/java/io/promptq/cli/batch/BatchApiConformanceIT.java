package io.promptq.cli.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchError;
import com.openai.models.batches.BatchRequestCounts;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.promptq.cli.PromptqCli;
import io.promptq.cli.internal.LocalStack;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import io.promptq.worker.WorkerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * promptq's Batch API driven by the <b>official OpenAI Java SDK</b> ({@code com.openai:openai-java}, a client nobody
 * on this project wrote) against a local stack: a real Kafka broker and schema registry, the producer's HTTP API (where
 * the SDK's base URL points), two workers on a provider the test scripts, and the aggregator that tracks and finalizes
 * batches. Authentication is off, so the SDK's API key is ignored. Every file is uploaded, every batch created,
 * polled, cancelled and read back through the SDK's own calls and types; the last test runs {@code ./promptq batch}
 * against the same stack.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BatchApiConformanceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern QUESTION = Pattern.compile("question (\\d+) of (\\w+)");
    private static final String TRANSIENT = "TRANSIENT-ONCE";
    private static final String PERMANENT = "PERMANENT";
    private static final String GATED = "GATED";
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(3);

    private static ScriptedProvider provider;
    private static LocalStack stack;
    private static OpenAIClient sdk;

    @BeforeAll
    static void start() {
        SimulatedLlm simulated = LlmProviders.simulated(SimulatedSettings.builder()
                .latency(LatencyDistribution.fixed(Duration.ofMillis(2))).build());
        provider = new ScriptedProvider(simulated);
        stack = LocalStack.start(new LocalStack.Options(2, 4, Map.of(
                        WorkerConfig.RETRY_DELAYS.name(), "200ms,400ms",
                        WorkerConfig.MAX_ATTEMPTS.name(), "3"),
                true, 0, 0, false), Optional.of(provider), line -> { });
        sdk = OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + stack.producer().orElseThrow().port() + "/v1")
                .apiKey("sk-ignored-while-authentication-is-off")
                .maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aThousandLineBatchEndsWithEveryCustomIdExactlyOnceInTheOutputOrTheErrorFile(@TempDir Path dir)
            throws Exception {
        int lines = 1_000;
        Set<Integer> permanent = new HashSet<>();
        Set<Integer> transientOnce = new HashSet<>();
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            String marker = "";
            if (i % 25 == 7) {
                permanent.add(i);
                marker = " " + PERMANENT;
            } else if (i % 10 == 3) {
                transientOnce.add(i);
                marker = " " + TRANSIENT;
            }
            requests.add(line("req-" + i, "question " + i + " of main" + marker));
        }
        Path input = write(dir.resolve("requests.jsonl"), requests);

        FileObject uploaded = sdk.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
        assertThat(uploaded.bytes()).isEqualTo(Files.size(input));
        assertThat(uploaded.purpose()).isEqualTo(FileObject.Purpose.BATCH);
        assertThat(sdk.files().retrieve(uploaded.id()).filename()).isEqualTo("requests.jsonl");

        Batch created = sdk.batches().create(BatchCreateParams.builder()
                .inputFileId(uploaded.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .metadata(BatchCreateParams.Metadata.builder()
                        .putAdditionalProperty("suite", JsonValue.from("conformance")).build())
                .build());
        assertThat(created.id()).startsWith("batch_");
        assertThat(created.inputFileId()).isEqualTo(uploaded.id());
        assertThat(created.status().known()).isIn(Batch.Status.Known.VALIDATING, Batch.Status.Known.IN_PROGRESS);
        assertThat(created.expiresAt()).hasValueSatisfying(at -> assertThat(at - created.createdAt()).isEqualTo(86_400));

        Batch done = awaitTerminal(created.id());
        assertThat(done.status().known()).as("%s", done).isEqualTo(Batch.Status.Known.COMPLETED);
        BatchRequestCounts counts = done.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(lines);
        assertThat(counts.failed()).isEqualTo(permanent.size());
        assertThat(counts.completed()).isEqualTo(lines - permanent.size());
        assertThat(done.inProgressAt()).isPresent();
        assertThat(done.finalizingAt()).isPresent();
        assertThat(done.completedAt()).isPresent();
        assertThat(done.metadata().orElseThrow()._additionalProperties()).containsEntry("suite", JsonValue.from("conformance"));

        Map<String, JsonNode> outputs = readLines(done.outputFileId().orElseThrow());
        Map<String, JsonNode> errors = readLines(done.errorFileId().orElseThrow());
        assertThat(outputs).hasSize(lines - permanent.size());
        assertThat(errors).hasSize(permanent.size());
        Set<String> seen = new HashSet<>(outputs.keySet());
        seen.addAll(errors.keySet());
        assertThat(seen).as("every custom_id in one of the two files").hasSize(lines);
        assertThat(outputs.keySet()).doesNotContainAnyElementsOf(errors.keySet());

        long completionTokens = 0;
        long promptTokens = 0;
        for (Map.Entry<String, JsonNode> output : outputs.entrySet()) {
            int n = Integer.parseInt(output.getKey().substring("req-".length()));
            JsonNode response = output.getValue().path("response");
            assertThat(output.getValue().path("error").isNull()).isTrue();
            assertThat(response.path("status_code").asInt()).isEqualTo(200);
            ChatCompletion completion = ObjectMappers.jsonMapper()
                    .readValue(response.path("body").toString(), ChatCompletion.class).validate();
            String content = completion.choices().get(0).message().content().orElseThrow();
            assertThat(content).as("the answer of %s is to its own question", output.getKey())
                    .contains("question " + n + " of main");
            assertThat(completion.model()).isEqualTo("mock-1");
            promptTokens += completion.usage().orElseThrow().promptTokens();
            completionTokens += completion.usage().orElseThrow().completionTokens();
        }
        for (Map.Entry<String, JsonNode> error : errors.entrySet()) {
            int n = Integer.parseInt(error.getKey().substring("req-".length()));
            assertThat(permanent).contains(n);
            assertThat(error.getValue().path("response").isNull()).isTrue();
            assertThat(error.getValue().path("error").path("code").asText()).isEqualTo("invalid_request");
            assertThat(error.getValue().path("error").path("message").asText()).isNotBlank();
        }
        long inputTokens = promptTokens;
        long outputTokens = completionTokens;
        assertThat(done.usage()).hasValueSatisfying(usage -> {
            assertThat(usage.inputTokens()).isEqualTo(inputTokens);
            assertThat(usage.outputTokens()).isEqualTo(outputTokens);
        });

        for (int i = 1; i <= lines; i++) {
            int expected = transientOnce.contains(i) ? 2 : 1;
            assertThat(provider.calls("main", i)).as("provider calls for line %d", i).isEqualTo(expected);
        }
        assertThat(sdk.batches().list().data()).extracting(Batch::id).contains(created.id());
    }

    @Test
    @Order(2)
    void cancellingMidWayStopsTheJobsNotYetStartedAndFinalizesWithWhatCompleted(@TempDir Path dir) throws Exception {
        int lines = 400;
        int inFlightAtCancel;
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= lines; i++) {
            requests.add(line("c-" + i, "question " + i + " of cancel " + GATED));
        }
        Path input = write(dir.resolve("cancel.jsonl"), requests);
        provider.gate.drainPermits();
        provider.gate.release(60);
        FileObject uploaded = sdk.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
        Batch created = sdk.batches().create(BatchCreateParams.builder()
                .inputFileId(uploaded.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .build());
        try {
            Awaitility.await().atMost(BATCH_TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() ->
                    sdk.batches().retrieve(created.id()).requestCounts().map(BatchRequestCounts::completed).orElse(0L) >= 50);
            inFlightAtCancel = provider.waiting.get();
            Batch cancelling = sdk.batches().cancel(created.id());
            assertThat(cancelling.status().known()).isIn(Batch.Status.Known.CANCELLING, Batch.Status.Known.CANCELLED);
            // The cancellations reach the workers before the gated calls go on: the jobs still queued must be dropped.
            Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cancellationsWritten() >= lines);
            Thread.sleep(1_000);
        } finally {
            provider.gate.release(100_000);
        }

        Batch done = awaitTerminal(created.id());
        assertThat(done.status().known()).as("%s", done).isEqualTo(Batch.Status.Known.CANCELLED);
        assertThat(done.cancellingAt()).isPresent();
        assertThat(done.cancelledAt()).isPresent();
        BatchRequestCounts counts = done.requestCounts().orElseThrow();
        assertThat(counts.total()).isEqualTo(lines);
        assertThat(counts.completed()).isBetween(50L, (long) lines - 1);
        assertThat(counts.completed() + counts.failed()).isEqualTo(lines);

        Map<String, JsonNode> outputs = done.outputFileId().map(BatchApiConformanceIT::readLines).orElse(Map.of());
        Map<String, JsonNode> errors = readLines(done.errorFileId().orElseThrow());
        System.out.printf("cancelled batch: %d of %d lines completed, %d cancelled; %d calls were in flight at the "
                + "cancel%n", counts.completed(), lines, counts.failed(), inFlightAtCancel);
        assertThat(outputs).hasSize((int) counts.completed());
        assertThat(errors).hasSize((int) counts.failed());
        Set<String> seen = new HashSet<>(outputs.keySet());
        seen.addAll(errors.keySet());
        assertThat(seen).hasSize(lines);
        assertThat(errors.values()).allSatisfy(e ->
                assertThat(e.path("error").path("code").asText()).isEqualTo("batch_cancelled"));
        // Most cancelled lines were never sent to the provider; the others were waiting at the gate when their
        // cancellation reached the worker, which aborted the call (a slot freed that way may start a job whose
        // cancellation is still on its way).
        long calledThenCancelled = errors.keySet().stream()
                .filter(id -> provider.calls("cancel", Integer.parseInt(id.substring("c-".length()))) > 0).count();
        System.out.printf("cancelled batch: %d cancelled lines were never sent to the provider, %d were aborted%n",
                errors.size() - calledThenCancelled, calledThenCancelled);
        assertThat(errors.size() - calledThenCancelled).as("lines cancelled before they started")
                .isGreaterThanOrEqualTo(lines / 2);
        for (String customId : errors.keySet()) {
            assertThat(provider.calls("cancel", Integer.parseInt(customId.substring("c-".length())))).isLessThanOrEqualTo(1);
        }
        for (String customId : outputs.keySet()) {
            assertThat(provider.calls("cancel", Integer.parseInt(customId.substring("c-".length())))).isEqualTo(1);
        }
    }

    @Test
    @Order(3)
    void aMalformedFileFailsTheBatchWithLineNumberedErrorsAndSubmitsNothing(@TempDir Path dir) throws Exception {
        List<String> requests = List.of(
                line("m-1", "question 1 of malformed"),
                "{not json",
                "{\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"mock-1\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"question 3 of malformed\"}]}}",
                line("m-1", "question 4 of malformed"),
                line("m-5", "question 5 of malformed").replace("/v1/chat/completions", "/v1/embeddings"));
        Path input = write(dir.resolve("malformed.jsonl"), requests);
        FileObject uploaded = sdk.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
        Batch created = sdk.batches().create(BatchCreateParams.builder()
                .inputFileId(uploaded.id())
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                .build());

        Batch failed = awaitTerminal(created.id());
        assertThat(failed.status().known()).as("%s", failed).isEqualTo(Batch.Status.Known.FAILED);
        assertThat(failed.failedAt()).isPresent();
        List<BatchError> errors = failed.errors().orElseThrow().data().orElseThrow();
        assertThat(errors).extracting(e -> e.line().orElse(-1L)).containsExactly(2L, 3L, 4L, 5L);
        assertThat(errors).allSatisfy(e -> {
            assertThat(e.code()).isPresent();
            assertThat(e.message()).hasValueSatisfying(m -> assertThat(m).isNotBlank());
        });
        assertThat(errors.get(2).code()).hasValue("duplicate_custom_id");
        assertThat(failed.outputFileId()).isEmpty();
        assertThat(failed.requestCounts().map(BatchRequestCounts::total).orElse(0L)).isZero();
        Thread.sleep(1_000);
        assertThat(provider.callsOf("malformed")).as("nothing of a failed batch is run").isZero();
    }

    @Test
    @Order(4)
    void theBatchCommandSubmitsWaitsAndDownloadsTheSameResultsAsTheSdkSees(@TempDir Path dir) throws Exception {
        List<String> requests = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            requests.add(line("cli-" + i, "question " + i + " of cli" + (i == 7 ? " " + PERMANENT : "")));
        }
        Path input = write(dir.resolve("cli.jsonl"), requests);
        String url = "http://127.0.0.1:" + stack.producer().orElseThrow().port();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int submitted = cli(out, err, "batch", "submit", input.toString(), "--wait", "--url", url);

        assertThat(submitted).as(err.toString()).isZero();
        String batchId = out.toString().lines().filter(l -> l.startsWith("batch_")).findFirst().orElseThrow();
        assertThat(err.toString()).contains("50/50", "completed");
        Path output = dir.resolve("out.jsonl");
        Path errorsFile = dir.resolve("err.jsonl");
        int downloaded = cli(new StringWriter(), err, "batch", "results", batchId, "-o", output.toString(),
                "--errors", errorsFile.toString(), "--url", url);
        assertThat(downloaded).as(err.toString()).isZero();
        Batch batch = sdk.batches().retrieve(batchId);
        try (HttpResponse content = sdk.files().content(batch.outputFileId().orElseThrow())) {
            assertThat(Files.readAllBytes(output)).isEqualTo(content.body().readAllBytes());
        }
        assertThat(Files.readAllLines(output)).hasSize(49);
        assertThat(Files.readAllLines(errorsFile)).singleElement().asString().contains("\"custom_id\":\"cli-7\"");
    }

    private static int cli(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = PromptqCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private static Batch awaitTerminal(String batchId) {
        Batch[] last = new Batch[1];
        Awaitility.await().atMost(BATCH_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = sdk.batches().retrieve(batchId);
            Batch.Status.Known status = last[0].status().known();
            return status == Batch.Status.Known.COMPLETED || status == Batch.Status.Known.FAILED
                    || status == Batch.Status.Known.CANCELLED || status == Batch.Status.Known.EXPIRED;
        });
        return last[0];
    }

    /** The file's lines by custom_id, each custom_id at most once. */
    private static Map<String, JsonNode> readLines(String fileId) {
        Map<String, JsonNode> byCustomId = new HashMap<>();
        try (HttpResponse response = sdk.files().content(fileId);
                BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(response.statusCode()).isEqualTo(200);
            String text;
            while ((text = reader.readLine()) != null) {
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(text);
                assertThat(node.path("id").asText()).startsWith("batch_req_");
                JsonNode previous = byCustomId.put(node.path("custom_id").asText(), node);
                assertThat(previous).as("custom_id %s twice in %s", node.path("custom_id").asText(), fileId).isNull();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byCustomId;
    }

    private static String line(String customId, String prompt) {
        ObjectNode node = JSON.createObjectNode();
        node.put("custom_id", customId);
        node.put("method", "POST");
        node.put("url", "/v1/chat/completions");
        ObjectNode body = node.putObject("body");
        body.put("model", "mock-1");
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        body.put("max_tokens", 64);
        return node.toString();
    }

    private static Path write(Path path, List<String> lines) throws IOException {
        return Files.writeString(path, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    /** Records on the cancellations topic (end offsets summed): only this test's batch cancels jobs. */
    private static long cancellationsWritten() {
        String topic = stack.topics().names().cancellations();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                stack.kafka().consumerConfig("conformance-it-counter", "conformance-it-counter"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The simulated provider steered by the prompt: {@value #PERMANENT} fails every call with a permanent error,
     * {@value #TRANSIENT} fails its first call with a transient one, {@value #GATED} waits for a permit of
     * {@link #gate}. Counts the calls per question.
     */
    private static final class ScriptedProvider implements LlmProvider {
        private final SimulatedLlm delegate;
        private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Semaphore gate = new Semaphore(0);
        final AtomicInteger waiting = new AtomicInteger();

        ScriptedProvider(SimulatedLlm delegate) {
            this.delegate = delegate;
        }

        int calls(String file, int line) {
            AtomicInteger count = calls.get(file + "#" + line);
            return count == null ? 0 : count.get();
        }

        int callsOf(String file) {
            return calls.entrySet().stream().filter(e -> e.getKey().startsWith(file + "#"))
                    .mapToInt(e -> e.getValue().get()).sum();
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public LlmResponse complete(LlmRequest request) {
            String prompt = request.messages().get(request.messages().size() - 1).content();
            Matcher m = QUESTION.matcher(prompt);
            int call = m.find()
                    ? calls.computeIfAbsent(m.group(2) + "#" + m.group(1), k -> new AtomicInteger()).incrementAndGet()
                    : 0;
            if (prompt.contains(GATED)) {
                waiting.incrementAndGet();
                try {
                    gate.acquire();
                } catch (InterruptedException e) {
                    // the worker aborts a running call of a cancelled job by interrupting it
                    Thread.currentThread().interrupt();
                    throw new ProviderException(ErrorClass.SERVER_ERROR, "aborted while waiting at the test's gate");
                } finally {
                    waiting.decrementAndGet();
                }
            }
            if (prompt.contains(PERMANENT)) {
                throw new ProviderException(ErrorClass.INVALID_REQUEST, "refused by the test: a permanent failure");
            }
            if (prompt.contains(TRANSIENT) && call == 1) {
                throw new ProviderException(ErrorClass.SERVER_ERROR, "a transient failure the test injects once");
            }
            return delegate.complete(request);
        }
    }
}
