package io.promptq.aggregator.deadletters;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorClient;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.SharedCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Not a test (opt-in, never in the default suite): the console's dead-letter index with N dead letters (default
 * 1,000,000; first argument) on the shared embedded cluster. Writes N small dead letters (batched, lz4, values
 * serialized once per distinct shape) to a 3-partition dead-letter topic, starts an aggregator, and reports how long
 * indexing took, first-page latency, a page filtered on a rare reason (1 in 10,000), the whole cursor walk, the
 * store's size on disk and the heap in use.
 *
 * <pre>
 * ./mvnw -q -o -pl aggregator-service test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx1g -cp aggregator-service/target/classes:aggregator-service/target/test-classes:$(cat aggregator-service/target/cp.txt) \
 *     io.promptq.aggregator.deadletters.DeadLetterIndexBenchmark 1000000
 * </pre>
 *
 * <p>Measured 2026-12-02 on the shared 2-core dev machine (loaded), 1,000,000 dead letters, default scan limit: written
 * in 11.8 s; indexed in 38.9 s (25,700/s); first page of 50 median 12.6 ms (max 29 ms); a page filtered on the rare
 * reason 200 ms (scanned 100,000, cursor given), its walk to the end 10 requests / 1.8 s for all 100; the whole cursor
 * walk 1,000 pages of 1,000 in 8.2 s (8.2 ms a page); summary store 83 MB on disk; heap after GC 60 MB.
 */
public final class DeadLetterIndexBenchmark {

    private static final String[] REASONS = {"PROVIDER_5XX", "TIMEOUT", "CONTENT_FILTER", "RATE_LIMITED"};
    private static final String RARE = "CONTEXT_TOO_LONG";

    private DeadLetterIndexBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        ClusterInfo cluster = SharedCluster.get();
        Path stateDir = Files.createTempDirectory("dlq-index-bench-");
        String suffix = UniqueNames.suffix();
        TopicNames names = new TopicNames("jobs-" + suffix, "retry-" + suffix, "dlq-" + suffix, "results-" + suffix,
                "totals-" + suffix, "windows-" + suffix);
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()))) {
            cluster.createTopics(3, names.deadLetters());
            Topics topics = Topics.create(names, registry, true);
            long t0 = System.nanoTime();
            produce(cluster, names.deadLetters(), topics.deadLetters().valueSerializer(), count);
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("wrote %,d dead letters in %.1f s (%,.0f/s)%n", count, produceSeconds, count / produceSeconds);

            Map<String, String> env = new HashMap<>(names.toConfig());
            env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
            env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
            env.put(AggregatorConfig.APPLICATION_ID.name(), "dlq-bench-" + suffix);
            env.put(AggregatorConfig.STATE_DIR.name(), stateDir.toString());
            env.put(AggregatorConfig.HTTP_PORT.name(), "0");
            env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "3");
            env.put(AggregatorConfig.QUERY_TIMEOUT.name(), "60s");
            try (AggregatorService aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                    AggregatorClient client = AggregatorClient.create(aggregator.url(), Duration.ofMinutes(2), null)) {
                aggregator.awaitRunning(Duration.ofMinutes(5));
                long running = System.nanoTime();
                long indexed = 0;
                while (indexed < count) {
                    Thread.sleep(1_000);
                    try {
                        indexed = client.deadLetters(DeadLetterFilter.all(), null, 1).counts().byReason().values().stream()
                                .mapToLong(Long::longValue).sum();
                    } catch (RuntimeException e) {
                        // 503 while restoring or rebalancing
                    }
                }
                double indexSeconds = (System.nanoTime() - running) / 1e9;
                System.out.printf("indexed %,d dead letters in %.1f s (%,.0f/s)%n", indexed, indexSeconds, indexed / indexSeconds);

                long[] firstPage = new long[21];
                for (int i = 0; i < firstPage.length; i++) {
                    long s = System.nanoTime();
                    client.deadLetters(DeadLetterFilter.all(), null, 50);
                    firstPage[i] = System.nanoTime() - s;
                }
                System.out.printf("first page (50, no filter): median %.1f ms, max %.1f ms over %d requests%n",
                        median(firstPage) / 1e6, Arrays.stream(firstPage).max().orElse(0) / 1e6, firstPage.length);

                DeadLetterFilter rare = new DeadLetterFilter(RARE, null, null, null, null);
                long s = System.nanoTime();
                DeadLetterPage rarePage = client.deadLetters(rare, null, 50);
                double rareMs = (System.nanoTime() - s) / 1e6;
                System.out.printf("filtered page (reason %s, 1 in 10,000): %.1f ms, %d found, scanned %,d, cursor %s%n",
                        RARE, rareMs, rarePage.items().size(), rarePage.scanned(), rarePage.nextCursor() == null ? "none" : "given");
                Walk rareWalk = walk(client, rare, 50);
                System.out.printf("filtered walk to the end: %d requests, %,d found, %.1f s (%.1f ms per request)%n",
                        rareWalk.requests, rareWalk.found, rareWalk.nanos / 1e9, rareWalk.nanos / 1e6 / rareWalk.requests);

                Walk all = walk(client, DeadLetterFilter.all(), 1_000);
                System.out.printf("deep cursor walk over all: %d pages of 1,000, %,d listed, %.1f s (%.1f ms per page)%n",
                        all.requests, all.found, all.nanos / 1e9, all.nanos / 1e6 / all.requests);

                System.gc();
                var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                System.out.printf("store on disk: summaries %.1f MB, whole state dir %.1f MB; heap used after GC %.1f MB"
                        + " (max %.0f MB)%n", size(stateDir, DeadLetterIndex.SUMMARY_STORE) / 1e6, size(stateDir, "") / 1e6,
                        heap.getUsed() / 1e6, heap.getMax() / 1e6);
            }
        } finally {
            System.exit(0); // the shared cluster closes in its shutdown hook
        }
    }

    private record Walk(int requests, long found, long nanos) {}

    private static Walk walk(AggregatorClient client, DeadLetterFilter filter, int limit) {
        long s = System.nanoTime();
        int requests = 0;
        long found = 0;
        String cursor = null;
        do {
            DeadLetterPage page = client.deadLetters(filter, cursor, limit);
            requests++;
            found += page.items().size();
            cursor = page.nextCursor();
        } while (cursor != null);
        return new Walk(requests, found, System.nanoTime() - s);
    }

    /** N dead letters of 5 reasons (one rare), 4 models, 20 tenants, one a second apart; values serialized per shape. */
    private static void produce(ClusterInfo cluster, String topic, Serializer<DeadLetter> serializer, int count) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers()).producerConfig("dlq-bench-writer");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        Instant base = Instant.now().minus(Duration.ofSeconds(count));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String reason = i % 10_000 == 1234 ? RARE : REASONS[i % REASONS.length];
                String jobId = "job-" + i;
                Instant at = base.plusSeconds(i);
                PromptJob job = PromptJob.newBuilder().setJobId(jobId).setTenant("tenant-" + (i % 20))
                        .setModel("model-" + (i % 4)).setMessages(List.of(new ChatMessage(Role.USER, "hi")))
                        .setParameters(GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(16).setTopP(null)
                                .setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                        .setSubmittedAt(at).setDeadline(null).setIdempotencyKey(null).setPriority(0)
                        .setAttributes(Map.of()).build();
                DeadLetter deadLetter = DeadLetter.newBuilder().setJobId(jobId).setJob(job).setErrorType(reason)
                        .setErrorMessage("failed: " + reason).setAttempts(3).setSourceTopic("jobs").setSourcePartition(0)
                        .setSourceOffset(i).setFirstFailureAt(at).setLastFailureAt(at).setWorkerId("w1").build();
                producer.send(new ProducerRecord<>(topic, jobId.getBytes(), serializer.serialize(topic, deadLetter)));
            }
            producer.flush();
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static long size(Path dir, String nameContains) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(p -> p.toString().contains(nameContains))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
