package io.promptq.aggregator.batch;

import io.promptq.aggregator.AggregatorTopology;
import io.promptq.aggregator.batch.internal.BatchFinalizer;
import io.promptq.aggregator.batch.internal.BatchKeys;
import io.promptq.aggregator.batch.internal.BatchReader;
import io.promptq.aggregator.batch.internal.BatchState;
import io.promptq.batch.BatchAttributes;
import io.promptq.batch.BatchIds;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Not a test: folds one batch of N lines (default 50,000; first argument) through the batch processor in a
 * {@code TopologyTestDriver} (RocksDB stores, no broker) and finalizes it into an in-memory file store, printing the
 * time of each step.
 *
 * <pre>
 * ./mvnw -q -o -pl aggregator-service test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx512m -cp aggregator-service/target/classes:aggregator-service/target/test-classes:$(cat aggregator-service/target/cp.txt) \
 *     io.promptq.aggregator.batch.BatchFinalizationBenchmark 50000
 * </pre>
 */
public final class BatchFinalizationBenchmark {

    private BatchFinalizationBenchmark() {}

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Topics topics = Topics.create(TopicNames.defaults(), SchemaRegistryClient.inMemory(), true);
        StreamsBuilder builder = new StreamsBuilder();
        BatchAggregation.addTo(builder,
                builder.stream(topics.batches().name(), Consumed.with(Serdes.String(), topics.batches().valueSerde())),
                builder.stream(topics.results().name(), Consumed.with(Serdes.String(), topics.results().valueSerde())),
                AggregatorTopology.storedResultSerde(topics), 1, Duration.ofDays(30), id -> { });
        Path stateDir = Files.createTempDirectory("batch-bench");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "batch-bench");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        Instant created = Instant.now();
        String batchId = BatchIds.newId(created);
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props);
                FileStore files = FileStore.inMemory(FilesConfig.defaults())) {
            TestInputTopic<String, BatchEvent> events = driver.createInputTopic(topics.batches().name(),
                    Serdes.String().serializer(), topics.batches().valueSerializer());
            TestInputTopic<String, JobResult> results = driver.createInputTopic(topics.results().name(),
                    Serdes.String().serializer(), topics.results().valueSerializer());
            events.pipeInput(batchId, BatchEvent.newBuilder().setBatchId(batchId).setTenant("acme")
                    .setType(BatchEventType.CREATED).setAt(created).setInputFileId("file-in")
                    .setEndpoint("/v1/chat/completions").setCompletionWindow("24h")
                    .setExpiresAt(created.plus(Duration.ofHours(24))).build());
            events.pipeInput(batchId, BatchEvent.newBuilder().setBatchId(batchId).setTenant("acme")
                    .setType(BatchEventType.VALIDATED).setAt(created).setTotal(lines).build());
            long start = System.nanoTime();
            for (int line = 1; line <= lines; line++) {
                results.pipeInput("job-" + line, JobResult.newBuilder().setJobId("job-" + line).setTenant("acme")
                        .setModel("sim").setStatus(line % 10 == 0 ? JobStatus.DEAD_LETTERED : JobStatus.SUCCEEDED)
                        .setOutput("an answer of a few words for line " + line)
                        .setUsage(TokenUsage.newBuilder().setPromptTokens(12).setCompletionTokens(40).build())
                        .setAttempts(1).setQueueWaitMs(1).setProviderMs(3).setEndToEndMs(5).setSubmittedAt(created)
                        .setCompletedAt(Instant.now()).setWorkerId("w")
                        .setAttributes(Map.of(BatchAttributes.BATCH_ID, batchId, BatchAttributes.CUSTOM_ID,
                                "request-" + line, BatchAttributes.LINE, Integer.toString(line)))
                        .build());
            }
            long folded = System.nanoTime();
            KeyValueStore<String, byte[]> states = driver.getKeyValueStore(BatchAggregation.STATE_STORE);
            KeyValueStore<Bytes, byte[]> stored = driver.getKeyValueStore(BatchAggregation.LINES_STORE);
            BatchFinalizer finalizer = new BatchFinalizer(new BatchReader() {
                @Override
                public Optional<BatchState> state(String id) {
                    return Optional.ofNullable(states.get(id)).map(BatchState::decode);
                }

                @Override
                public void lines(String id, LineVisitor visitor) throws IOException {
                    try (KeyValueIterator<Bytes, byte[]> it = stored.range(BatchKeys.firstLine(id), BatchKeys.lastLine(id))) {
                        while (it.hasNext()) {
                            visitor.visit(it.next().value);
                        }
                    }
                }
            }, () -> files, FilesConfig.defaults(), event -> events.pipeInput(event.getBatchId(), event),
                    Clock.systemUTC());
            finalizer.finalizeNow(batchId);
            long finalized = System.nanoTime();
            finalizer.close();
            System.out.printf("%d lines: fold %d ms (%.0f results/s), finalize %d ms; output %d bytes, errors %d bytes; "
                            + "status %s%n", lines, (folded - start) / 1_000_000,
                    lines / ((folded - start) / 1e9), (finalized - folded) / 1_000_000,
                    files.get("acme", FileIds.output(batchId)).orElseThrow().bytes(),
                    files.get("acme", FileIds.errors(batchId)).orElseThrow().bytes(),
                    BatchState.decode(states.get(batchId)).status());
        }
    }
}
