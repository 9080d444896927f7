package io.promptq.aggregator.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.aggregator.AggregatorTopology;
import io.promptq.aggregator.batch.internal.BatchFinalizer;
import io.promptq.aggregator.batch.internal.BatchKeys;
import io.promptq.aggregator.batch.internal.BatchReader;
import io.promptq.aggregator.batch.internal.BatchState;
import io.promptq.batch.BatchAttributes;
import io.promptq.batch.BatchIds;
import io.promptq.batch.BatchStatus;
import io.promptq.batch.BatchView;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.files.StoredFile;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchError;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchProcessorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-11-22T10:00:00Z");
    private static final String TENANT = "acme";

    @TempDir
    Path stateDir;

    private final Topics topics = Topics.create(TopicNames.defaults(), SchemaRegistryClient.inMemory(), true);
    private final FileStore files = FileStore.inMemory(FilesConfig.defaults());
    private final List<String> finalizing = new ArrayList<>();
    private final String batchId = BatchIds.newId(CREATED);
    private TopologyTestDriver driver;
    private TestInputTopic<String, BatchEvent> events;
    private TestInputTopic<String, JobResult> results;
    private BatchFinalizer finalizer;

    @BeforeEach
    void start() {
        StreamsBuilder builder = new StreamsBuilder();
        var batchEvents = builder.stream(topics.batches().name(),
                Consumed.with(Serdes.String(), topics.batches().valueSerde()));
        var jobResults = builder.stream(topics.results().name(),
                Consumed.with(Serdes.String(), topics.results().valueSerde()));
        BatchAggregation.addTo(builder, batchEvents, jobResults, AggregatorTopology.storedResultSerde(topics), 3,
                Duration.ofDays(30), finalizing::add);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "batch-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(builder.build(), props, CREATED);
        events = driver.createInputTopic(topics.batches().name(), Serdes.String().serializer(),
                topics.batches().valueSerializer());
        results = driver.createInputTopic(topics.results().name(), Serdes.String().serializer(),
                topics.results().valueSerializer());
        finalizer = new BatchFinalizer(new DriverReader(), () -> files, FilesConfig.defaults(),
                event -> events.pipeInput(event.getBatchId(), event), Clock.fixed(CREATED.plusSeconds(600), ZoneOffset.UTC));
    }

    @AfterEach
    void stop() {
        finalizer.close();
        driver.close();
    }

    @Test
    void resultsBeforeCreatedAndBeforeValidatedAreCountedOnceEach() throws Exception {
        result(1, JobStatus.SUCCEEDED); // before CREATED
        result(2, JobStatus.DEAD_LETTERED);
        created();
        assertThat(state().status()).isEqualTo(BatchStatus.VALIDATING);
        result(3, JobStatus.SUCCEEDED); // before VALIDATED
        result(1, JobStatus.SUCCEEDED); // duplicate
        validated(4);
        BatchView view = view();
        assertThat(view.status()).isEqualTo(BatchStatus.IN_PROGRESS);
        assertThat(view.total()).isEqualTo(4);
        assertThat(view.completed()).isEqualTo(2);
        assertThat(view.failed()).isEqualTo(1);
        assertThat(finalizing).isEmpty();
        result(4, JobStatus.SUCCEEDED);
        result(3, JobStatus.DEAD_LETTERED); // a later outcome of a line that already succeeded: ignored
        assertThat(view().status()).isEqualTo(BatchStatus.FINALIZING);
        assertThat(view().completed()).isEqualTo(3);
        assertThat(view().failed()).isEqualTo(1);
        assertThat(view().inputTokens()).isEqualTo(30);
        assertThat(view().outputTokens()).isEqualTo(60);
        assertThat(finalizing).containsExactly(batchId);

        assertThat(finalizer.finalizeNow(batchId)).isTrue();
        view = view();
        assertThat(view.status()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(view.outputFileId()).isEqualTo(FileIds.output(batchId));
        assertThat(view.errorFileId()).isEqualTo(FileIds.errors(batchId));
        List<JsonNode> output = lines(view.outputFileId());
        assertThat(output).extracting(l -> l.get("custom_id").asText()).containsExactly("req-1", "req-3", "req-4");
        List<JsonNode> errors = lines(view.errorFileId());
        assertThat(errors).extracting(l -> l.get("custom_id").asText()).containsExactly("req-2");
        assertThat(errors.getFirst().get("error").get("code").asText()).isEqualTo("provider_5xx");
        assertThat(errors.getFirst().get("response").isNull()).isTrue();
        assertThat(files.get(TENANT, view.outputFileId()).orElseThrow().purpose())
                .isEqualTo(StoredFile.PURPOSE_BATCH_OUTPUT);
        assertThat(files.get(TENANT, view.outputFileId()).orElseThrow().filename()).isEqualTo(batchId + "_output.jsonl");
        assertThat(storedLines()).as("stored lines are dropped once FINALIZED").isZero();
        assertThat(finalizer.finalizeNow(batchId)).as("finalizing twice does nothing").isFalse();
    }

    @Test
    void aRedrivenSuccessReplacesADeadLetterBeforeFinalizationOnly() throws Exception {
        created();
        validated(2);
        result(1, JobStatus.DEAD_LETTERED);
        result(1, JobStatus.SUCCEEDED); // redrive
        assertThat(view().completed()).isEqualTo(1);
        assertThat(view().failed()).isZero();
        result(2, JobStatus.DEAD_LETTERED);
        assertThat(view().status()).isEqualTo(BatchStatus.FINALIZING);
        result(2, JobStatus.SUCCEEDED); // too late: finalization started
        finalizer.finalizeNow(batchId);
        BatchView view = view();
        assertThat(view.completed()).isEqualTo(1);
        assertThat(view.failed()).isEqualTo(1);
        assertThat(lines(view.outputFileId())).extracting(l -> l.get("custom_id").asText()).containsExactly("req-1");
        assertThat(lines(view.errorFileId())).extracting(l -> l.get("custom_id").asText()).containsExactly("req-2");
    }

    @Test
    void aCancelledBatchFinalizesAsCancelledWithItsCancelledLinesInTheErrorFile() throws Exception {
        created();
        validated(3);
        result(1, JobStatus.SUCCEEDED);
        event(BatchEventType.CANCEL_REQUESTED);
        event(BatchEventType.CANCEL_REQUESTED); // idempotent
        assertThat(view().status()).isEqualTo(BatchStatus.CANCELLING);
        result(2, JobStatus.CANCELLED);
        result(3, JobStatus.CANCELLED);
        assertThat(view().status()).isEqualTo(BatchStatus.FINALIZING);
        finalizer.finalizeNow(batchId);
        BatchView view = view();
        assertThat(view.status()).isEqualTo(BatchStatus.CANCELLED);
        assertThat(view.cancelledAt()).isNotNull();
        assertThat(view.cancellingAt()).isNotNull();
        assertThat(lines(view.errorFileId())).extracting(l -> l.get("error").get("code").asText())
                .containsExactly("batch_cancelled", "batch_cancelled");
    }

    @Test
    void anExpiredLineMakesTheBatchExpiredAndAnAllFailedBatchHasNoOutputFile() throws Exception {
        created();
        validated(2);
        result(1, JobStatus.EXPIRED);
        result(2, JobStatus.DEAD_LETTERED);
        finalizer.finalizeNow(batchId);
        BatchView view = view();
        assertThat(view.status()).isEqualTo(BatchStatus.EXPIRED);
        assertThat(view.expiredAt()).isNotNull();
        assertThat(view.outputFileId()).isNull();
        assertThat(files.get(TENANT, FileIds.output(batchId))).isEmpty();
        assertThat(lines(view.errorFileId())).extracting(l -> l.get("error").get("code").asText())
                .containsExactly("batch_expired", "provider_5xx");
    }

    @Test
    void failedAndFinalizedAreIdempotentAndResultsOfAFailedBatchAreIgnored() {
        created();
        BatchEvent failed = BatchEvent.newBuilder(event(BatchEventType.FAILED))
                .setErrors(List.of(new BatchError("invalid_json", "line 3 is not JSON", null, 3))).build();
        events.pipeInput(batchId, failed);
        events.pipeInput(batchId, failed);
        result(1, JobStatus.SUCCEEDED);
        BatchView view = view();
        assertThat(view.status()).isEqualTo(BatchStatus.FAILED);
        assertThat(view.errors()).extracting(BatchError::getLine).containsExactly(3);
        assertThat(view.completed()).isZero();
        assertThat(storedLines()).isZero();
    }

    @Test
    void countsNeverExceedTheTotal() {
        created();
        validated(2);
        result(3, JobStatus.SUCCEEDED); // no such line
        result(1, JobStatus.SUCCEEDED);
        assertThat(view().completed()).isEqualTo(1);
        assertThat(view().status()).isEqualTo(BatchStatus.IN_PROGRESS);
    }

    @Test
    void theSynthesizedBodyIsAChatCompletionAndAProviderBodyIsPassedThrough() throws Exception {
        created();
        validated(2);
        result(1, JobStatus.SUCCEEDED);
        results.pipeInput("job-2", JobResult.newBuilder(job(2, JobStatus.SUCCEEDED))
                .setResponseBody("{\"id\":\"chatcmpl-upstream\",\"object\":\"chat.completion\",\"choices\":[]}").build());
        finalizer.finalizeNow(batchId);
        List<JsonNode> output = lines(view().outputFileId());
        JsonNode synthesized = output.get(0);
        assertThat(synthesized.get("id").asText()).isEqualTo("batch_req_job1");
        assertThat(synthesized.get("error").isNull()).isTrue();
        assertThat(synthesized.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(synthesized.get("response").get("request_id").asText()).isEqualTo("job-1");
        JsonNode body = synthesized.get("response").get("body");
        assertThat(body.get("id").asText()).isEqualTo("chatcmpl-job1");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("model").asText()).isEqualTo("gpt-test");
        assertThat(body.get("created").asLong()).isEqualTo(CREATED.plusSeconds(60).getEpochSecond());
        assertThat(body.get("choices").get(0).get("message").get("content").asText()).isEqualTo("answer 1");
        assertThat(body.get("choices").get(0).get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.get("usage").get("total_tokens").asLong()).isEqualTo(30);
        assertThat(output.get(1).get("response").get("body").get("id").asText()).isEqualTo("chatcmpl-upstream");
    }

    @Test
    void theRetentionPunctuatorRemovesOldBatchesWithTheirIndexEntries() {
        created();
        validated(2);
        result(1, JobStatus.SUCCEEDED);
        assertThat(indexEntries()).isEqualTo(2);
        driver.advanceWallClockTime(Duration.ofDays(29));
        assertThat(states().get(batchId)).isNotNull();
        driver.advanceWallClockTime(Duration.ofDays(2));
        assertThat(states().get(batchId)).isNull();
        assertThat(indexEntries()).isZero();
        assertThat(storedLines()).isZero();
    }

    private void created() {
        events.pipeInput(batchId, BatchEvent.newBuilder().setBatchId(batchId).setTenant(TENANT)
                .setType(BatchEventType.CREATED).setAt(CREATED).setInputFileId("file-in").setEndpoint("/v1/chat/completions")
                .setCompletionWindow("24h").setExpiresAt(CREATED.plus(Duration.ofHours(24))).setMetadata(Map.of("k", "v"))
                .build());
    }

    private void validated(int total) {
        events.pipeInput(batchId, BatchEvent.newBuilder(event(BatchEventType.VALIDATED)).setTotal(total).build());
    }

    private BatchEvent event(BatchEventType type) {
        BatchEvent event = BatchEvent.newBuilder().setBatchId(batchId).setTenant(TENANT).setType(type)
                .setAt(CREATED.plusSeconds(1)).build();
        if (type == BatchEventType.CANCEL_REQUESTED) {
            events.pipeInput(batchId, event);
        }
        return event;
    }

    private void result(int line, JobStatus status) {
        results.pipeInput("job-" + line, job(line, status));
    }

    private JobResult job(int line, JobStatus status) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(BatchAttributes.BATCH_ID, batchId);
        attributes.put(BatchAttributes.CUSTOM_ID, "req-" + line);
        attributes.put(BatchAttributes.LINE, Integer.toString(line));
        return JobResult.newBuilder().setJobId("job-" + line).setTenant(TENANT).setModel("gpt-test").setStatus(status)
                .setOutput(status == JobStatus.SUCCEEDED ? "answer " + line : null)
                .setUsage(TokenUsage.newBuilder().setPromptTokens(10).setCompletionTokens(20).build())
                .setAttempts(1).setQueueWaitMs(1).setProviderMs(1).setEndToEndMs(2)
                .setSubmittedAt(CREATED).setCompletedAt(CREATED.plusSeconds(60)).setWorkerId("w")
                .setError(status == JobStatus.DEAD_LETTERED
                        ? ErrorInfo.newBuilder().setType("PROVIDER_5XX").setMessage("boom").setRetryable(false).build()
                        : null)
                .setAttributes(attributes).build();
    }

    private KeyValueStore<String, byte[]> states() {
        return driver.getKeyValueStore(BatchAggregation.STATE_STORE);
    }

    private BatchState state() {
        return BatchState.decode(states().get(batchId));
    }

    private BatchView view() {
        return state().view(batchId);
    }

    private int storedLines() {
        return count(driver.<Bytes, byte[]>getKeyValueStore(BatchAggregation.LINES_STORE));
    }

    private int indexEntries() {
        return count(driver.<Bytes, byte[]>getKeyValueStore(BatchAggregation.INDEX_STORE));
    }

    private static int count(KeyValueStore<Bytes, byte[]> store) {
        int n = 0;
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    private List<JsonNode> lines(String fileId) throws IOException {
        StoredFile file = files.get(TENANT, fileId).orElseThrow();
        List<JsonNode> lines = new ArrayList<>();
        try (InputStream in = files.open(file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    /** Reads the driver's stores as the service reads its local stores through interactive queries. */
    private final class DriverReader implements BatchReader {
        @Override
        public Optional<BatchState> state(String id) {
            return Optional.ofNullable(states().get(id)).map(BatchState::decode);
        }

        @Override
        public void lines(String id, LineVisitor visitor) throws IOException {
            KeyValueStore<Bytes, byte[]> lines = driver.getKeyValueStore(BatchAggregation.LINES_STORE);
            try (KeyValueIterator<Bytes, byte[]> it = lines.range(BatchKeys.firstLine(id), BatchKeys.lastLine(id))) {
                while (it.hasNext()) {
                    KeyValue<Bytes, byte[]> entry = it.next();
                    visitor.visit(entry.value);
                }
            }
        }
    }
}
