package io.promptq.cli.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponse;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import io.promptq.cli.internal.LocalStack;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.SimulatedSettings;
import io.promptq.producer.ProducerMain;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.testkit.JvmProcess;
import io.promptq.topic.SchemaRegistryKeys;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The issue's measurement of the Batch API (a {@code main}, not part of the suite; the README's Performance section
 * gives the command line): a 50,000-line
 * batch through the official OpenAI SDK against a local stack (real broker and registry, 2 workers on the simulated
 * provider with 0-5 ms latency, the aggregator in this JVM) with <b>the producer in its own JVM</b> so that its heap is
 * its own: time from {@code batches.create} to {@code completed}, the producer's peak heap (its {@code /metrics},
 * sampled every 100 ms), then the same 50,000 jobs through {@code POST /v1/jobs/batch} (500 per request, 4 senders) until
 * the aggregator counts them all. Prints one line per figure and the ratio, all measured in the same run.
 */
public final class BatchApiBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$",
            Pattern.MULTILINE);

    private BatchApiBenchmark() {}

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        SimulatedSettings simulated = SimulatedSettings.builder()
                .latency(LatencyDistribution.uniform(Duration.ZERO, Duration.ofMillis(5))).build();
        try (LocalStack stack = LocalStack.start(new LocalStack.Options(2, 12, Map.of(), false, 0, 0, false),
                Optional.of(LlmProviders.simulated(simulated)), System.out::println)) {
            int port = freePort();
            JvmProcess producer = JvmProcess.builder(ProducerMain.class.getName()).name("bench-producer")
                    .jvmArgs("-Xmx1g")
                    .env(Map.of(
                            KafkaSettings.BOOTSTRAP_SERVERS.name(), stack.cluster().bootstrapServers(),
                            SchemaRegistryKeys.URL.name(), stack.cluster().schemaRegistryUrl(),
                            ProducerServiceConfig.HTTP_HOST.name(), "127.0.0.1",
                            ProducerServiceConfig.HTTP_PORT.name(), Integer.toString(port),
                            ProducerServiceConfig.CREATE_TOPICS.name(), "false",
                            ProducerServiceConfig.AGGREGATOR_URL.name(), stack.aggregator().url().toString()))
                    .start();
            try (producer) {
                producer.awaitLog("Producer service listening", Duration.ofMinutes(2));
                URI base = URI.create("http://127.0.0.1:" + port);
                HeapSampler heap = HeapSampler.start(base.resolve("/metrics"));
                Path dir = Files.createTempDirectory("promptq-batch-bench-");
                Path input = dir.resolve("bench.jsonl");
                writeInput(input, lines);
                System.out.printf(Locale.ROOT, "input: %,d lines, %,d bytes%n", lines, Files.size(input));

                OpenAIClient sdk = OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey("unused")
                        .maxRetries(0).timeout(Duration.ofMinutes(5)).build();
                long uploadStart = System.nanoTime();
                FileObject file = sdk.files().create(FileCreateParams.builder().file(input).purpose(FilePurpose.BATCH).build());
                double uploadSeconds = seconds(uploadStart);
                heap.reset();
                long start = System.nanoTime();
                Batch batch = sdk.batches().create(BatchCreateParams.builder().inputFileId(file.id())
                        .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                        .completionWindow(BatchCreateParams.CompletionWindow._24H).build());
                Batch done = batch;
                String lastStatus = "";
                double lastPrinted = -10;
                while (!done.status().known().equals(Batch.Status.Known.COMPLETED)
                        && !done.status().known().equals(Batch.Status.Known.FAILED)
                        && !done.status().known().equals(Batch.Status.Known.EXPIRED)
                        && !done.status().known().equals(Batch.Status.Known.CANCELLED)) {
                    Thread.sleep(250);
                    done = sdk.batches().retrieve(batch.id());
                    double at = seconds(start);
                    String status = done.status().toString();
                    if (!status.equals(lastStatus) || at - lastPrinted >= 2) {
                        System.out.printf(Locale.ROOT, "  %6.2f s  %-11s %s; jobs on the jobs topic %,d, results written %,d, "
                                + "results counted %,d%n",
                                at, status, done.requestCounts().map(c -> c.completed() + c.failed() + "/" + c.total())
                                        .orElse(""), records(stack, stack.topics().names().jobs()),
                                records(stack, stack.topics().names().results()), aggregatorTotal(stack));
                        lastStatus = status;
                        lastPrinted = at;
                    }
                }
                double batchSeconds = seconds(start);
                long batchPeak = heap.peak();
                long downloadStart = System.nanoTime();
                long outputBytes;
                try (HttpResponse content = sdk.files().content(done.outputFileId().orElseThrow());
                        InputStream in = content.body()) {
                    outputBytes = in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                double downloadSeconds = seconds(downloadStart);
                System.out.printf(Locale.ROOT, "batch %s: status %s, counts %s%n", done.id(), done.status(),
                        done.requestCounts().orElseThrow());
                System.out.printf(Locale.ROOT, "upload: %.2f s; create -> completed: %.2f s (%.0f lines/s); output file "
                        + "%,d bytes downloaded in %.2f s; producer peak heap during the batch: %.0f MiB%n",
                        uploadSeconds, batchSeconds, lines / batchSeconds, outputBytes, downloadSeconds,
                        batchPeak / 1048576.0);

                double plainSeconds = runJobsBatch(stack, base, heap, lines, null);
                double keyedSeconds = runJobsBatch(stack, base, heap, lines, "bench-keyed-");
                heap.stop();
                System.out.printf(Locale.ROOT, "ratio (Batch API throughput / /v1/jobs/batch throughput): %.3f; "
                        + "against /v1/jobs/batch with idempotency keys (as a batch line's job has): %.3f%n",
                        plainSeconds / batchSeconds, keyedSeconds / batchSeconds);
                sdk.close();
            }
        }
    }

    private static void writeInput(Path input, int lines) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            for (int i = 1; i <= lines; i++) {
                ObjectNode line = JSON.createObjectNode();
                line.put("custom_id", "bench-" + i);
                line.put("method", "POST");
                line.put("url", "/v1/chat/completions");
                ObjectNode body = line.putObject("body");
                body.put("model", "mock-1");
                body.putArray("messages").addObject().put("role", "user").put("content", prompt(i));
                body.put("max_tokens", 64);
                out.write(line.toString());
                out.write('\n');
            }
        }
    }

    private static String prompt(int i) {
        return "Classify the sentiment of review #" + i + ": the product arrived on time and works as described.";
    }

    /** The same jobs through {@code POST /v1/jobs/batch} until the aggregator counts them all; seconds taken. */
    private static double runJobsBatch(LocalStack stack, URI base, HeapSampler heap, int lines, String keyPrefix)
            throws Exception {
        heap.reset();
        long before = aggregatorTotal(stack);
        long start = System.nanoTime();
        submitThroughJobsBatch(base, lines, keyPrefix);
        double submitSeconds = seconds(start);
        while (aggregatorTotal(stack) < before + lines) {
            Thread.sleep(100);
        }
        double total = seconds(start);
        System.out.printf(Locale.ROOT, "/v1/jobs/batch%s: submitted in %.2f s, all %,d results counted after %.2f s "
                + "(%.0f jobs/s); producer peak heap: %.0f MiB%n", keyPrefix == null ? "" : " with idempotency keys",
                submitSeconds, lines, total, lines / total, heap.peak() / 1048576.0);
        return total;
    }

    private static void submitThroughJobsBatch(URI base, int lines, String keyPrefix) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        int perRequest = 500;
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int from = 1; from <= lines; from += perRequest) {
                int first = from;
                sent.add(senders.submit(() -> {
                    ArrayNode jobs = JSON.createArrayNode();
                    for (int i = first; i < first + perRequest && i <= lines; i++) {
                        ObjectNode job = jobs.addObject();
                        job.put("tenant", "default");
                        job.put("model", "mock-1");
                        job.putArray("messages").addObject().put("role", "user").put("content", prompt(i));
                        job.put("maxTokens", 64);
                        if (keyPrefix != null) {
                            job.put("idempotencyKey", keyPrefix + i);
                        }
                    }
                    var response = http.send(HttpRequest.newBuilder(base.resolve("/v1/jobs/batch"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(jobs.toString())).build(), BodyHandlers.ofString());
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("/v1/jobs/batch answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
        } finally {
            senders.shutdown();
        }
    }

    private static long records(LocalStack stack, String topic) {
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                stack.kafka().consumerConfig("bench-counter", "bench-counter"),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static long aggregatorTotal(LocalStack stack) throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                stack.aggregator().url().resolve("/v1/stats/totals")).build(), BodyHandlers.ofString());
        JsonNode totals = JSON.readTree(response.body());
        return totals.path("total").asLong();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Samples the producer JVM's used heap (all heap pools) from its Prometheus metrics every 100 ms. */
    private static final class HeapSampler implements Runnable {
        private final URI metrics;
        private final HttpClient http = HttpClient.newHttpClient();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);

        private HeapSampler(URI metrics) {
            this.metrics = metrics;
        }

        static HeapSampler start(URI metrics) {
            HeapSampler sampler = new HeapSampler(metrics);
            Thread.ofPlatform().daemon().name("heap-sampler").start(sampler);
            return sampler;
        }

        @Override
        public void run() {
            while (running.get()) {
                try {
                    String text = http.send(HttpRequest.newBuilder(metrics).build(), BodyHandlers.ofString()).body();
                    Matcher m = HEAP.matcher(text);
                    double used = 0;
                    while (m.find()) {
                        used += Double.parseDouble(m.group(1));
                    }
                    long value = (long) used;
                    peak.accumulateAndGet(value, Math::max);
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException | RuntimeException e) {
                    // the producer is busy or restarting: sample again
                }
            }
        }

        void reset() {
            peak.set(0);
        }

        long peak() {
            return peak.get();
        }

        void stop() {
            running.set(false);
        }
    }
}
