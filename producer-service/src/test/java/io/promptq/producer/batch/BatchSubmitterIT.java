package io.promptq.producer.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.batch.BatchAttributes;
import io.promptq.batch.BatchConfig;
import io.promptq.batch.BatchIds;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
import io.promptq.client.JobIds;
import io.promptq.client.PromptqClient;
import io.promptq.client.ValidationRules;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicSpec;
import io.promptq.producer.internal.TopicCreator;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchError;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import io.promptq.schema.JobCancellation;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch submitter on a real broker and registry with a real {@link PromptqClient}: a valid file becomes
 * VALIDATED and one job per line (attributes, deadline, tenant, idempotency-derived job ids); a bad file becomes
 * FAILED with line numbers and no job; a submitter that dies mid-batch before committing leaves the step to the next
 * one, which submits the same job ids only; a cancel writes one cancellation per line's job. The files are in
 * {@link FileStore#inMemory} (the Kafka store is part A's).
 */
@PromptqCluster
class BatchSubmitterIT {

    private static final String ENDPOINT = "/v1/chat/completions";
    private static final String TENANT = "acme";
    private static final JobIdKey KEY = JobIdKey.of("batch-submitter-it-secret-of-at-least-32-chars");

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ClusterInfo cluster;
    private TopicNames names;
    private SchemaRegistryClient registry;
    private Topics topics;
    private FileStore files;
    private String clientId;

    @BeforeEach
    void setUp(ClusterInfo cluster) throws Exception {
        this.cluster = cluster;
        names = new TopicNames(UniqueNames.of("promptq.jobs.batch-submitter-it"), TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS);
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        closeables.add(registry);
        topics = Topics.create(names, registry, true);
        files = FileStore.inMemory(FilesConfig.defaults());
        clientId = UniqueNames.of("batch-it");
        TopicSpecs specs = TopicSpecs.of(names, 3);
        List<TopicSpec> all = new ArrayList<>(specs.submitter(Duration.ofHours(24)));
        all.addAll(specs.lifecycle(Duration.ofDays(1)));
        all.addAll(specs.batchApi(Duration.ofDays(1), Duration.ofDays(1)));
        try (Admin admin = Admin.create(KafkaSettings.of(cluster.bootstrapServers()).adminConfig("batch-it-admin"));
                TopicCreator creator = TopicCreator.start(admin, all, Duration.ofSeconds(20))) {
            assertThat(creator.await(Duration.ofSeconds(120))).isTrue();
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        files.close();
    }

    @Test
    void aValidFileIsValidatedAndBecomesOneJobPerLineWithDerivedIds() throws Exception {
        StoredFile input = upload(validFile(300));
        BatchEvent created = created(input);
        start(files);

        writeEvent(created);

        BatchEvent validated = awaitEvent(created.getBatchId(), BatchEventType.VALIDATED);
        assertThat(validated.getTotal()).isEqualTo(300);
        List<PromptJob> jobs = awaitJobs(300);
        assertThat(jobs).hasSize(300);
        assertThat(jobs.stream().map(PromptJob::getJobId).collect(Collectors.toSet()))
                .isEqualTo(expectedJobIds(created.getBatchId(), 300));
        for (PromptJob job : jobs) {
            int line = Integer.parseInt(job.getAttributes().get(BatchAttributes.LINE));
            assertThat(job.getTenant()).isEqualTo(TENANT);
            assertThat(job.getJobId()).isEqualTo(JobIds.of(KEY, TENANT,
                    BatchAttributes.idempotencyKey(created.getBatchId(), line)));
            assertThat(job.getIdempotencyKey()).isEqualTo(BatchAttributes.idempotencyKey(created.getBatchId(), line));
            assertThat(job.getAttributes()).containsEntry(BatchAttributes.BATCH_ID, created.getBatchId())
                    .containsEntry(BatchAttributes.CUSTOM_ID, "req-" + line);
            assertThat(job.getDeadline()).isEqualTo(created.getExpiresAt());
            assertThat(job.getModel()).isEqualTo("gpt-4o-mini");
        }
    }

    @Test
    void aFileWithBadLinesFailsWithTheirLineNumbersAndSubmitsNothing() throws Exception {
        List<String> lines = new ArrayList<>(List.of(validFile(6).split("\n")));
        lines.set(1, "{broken");
        lines.set(4, lines.get(4).replace("\"POST\"", "\"GET\""));
        lines.set(5, lines.get(5).replace("req-6", "req-1"));
        StoredFile input = upload(String.join("\n", lines));
        BatchEvent created = created(input);
        start(files);

        writeEvent(created);

        BatchEvent failed = awaitEvent(created.getBatchId(), BatchEventType.FAILED);
        assertThat(failed.getErrors()).extracting(BatchError::getLine).containsExactly(2, 5, 6);
        assertThat(failed.getErrors()).extracting(BatchError::getCode)
                .containsExactly("invalid_json_line", "invalid_method", "duplicate_custom_id");
        assertThat(events(created.getBatchId())).extracting(BatchEvent::getType)
                .doesNotContain(BatchEventType.VALIDATED);
        Thread.sleep(2_000);
        assertThat(readAll(names.jobs(), topics.jobs().valueDeserializer())).isEmpty();
    }

    @Test
    void aStepRunAgainAfterASubmitterDiedBeforeCommittingSubmitsTheSameJobIdsOnly() throws Exception {
        StoredFile input = upload(validFile(300));
        BatchEvent created = created(input);
        CountDownLatch never = new CountDownLatch(1);
        FileStore stalling = new StallingStore(files, never, 150);
        BatchSubmitter first = start(stalling);

        writeEvent(created);
        await().atMost(Duration.ofSeconds(120)).until(() -> readAll(names.jobs(),
                topics.jobs().valueDeserializer()).size() >= 100);
        first.close(); // dies mid-batch: its step is not committed

        start(files);

        await().atMost(Duration.ofSeconds(180)).until(() -> distinctJobIds().size() >= 300);
        Thread.sleep(2_000);
        assertThat(distinctJobIds()).isEqualTo(expectedJobIds(created.getBatchId(), 300));
        assertThat(events(created.getBatchId())).filteredOn(e -> e.getType() == BatchEventType.VALIDATED)
                .isNotEmpty().allSatisfy(e -> assertThat(e.getTotal()).isEqualTo(300));
    }

    @Test
    void aCancelRequestWritesOneCancellationPerLinesJob() throws Exception {
        StoredFile input = upload(validFile(300));
        BatchEvent created = created(input);
        start(files);
        BatchEvent cancel = BatchEvent.newBuilder(created).setType(BatchEventType.CANCEL_REQUESTED)
                .setAt(Instant.now()).build();

        writeEvent(cancel);

        Set<String> expected = expectedJobIds(created.getBatchId(), 300);
        await().atMost(Duration.ofSeconds(120)).until(() -> readAll(names.cancellations(),
                topics.cancellations().valueDeserializer()).size() >= 300);
        Thread.sleep(1_000);
        List<JobCancellation> cancellations = readAll(names.cancellations(), topics.cancellations().valueDeserializer());
        assertThat(cancellations).hasSize(300);
        assertThat(cancellations.stream().map(JobCancellation::getJobId).collect(Collectors.toSet()))
                .isEqualTo(expected);
        assertThat(cancellations).allSatisfy(c -> {
            assertThat(c.getTenant()).isEqualTo(TENANT);
            assertThat(c.getReason()).isEqualTo("batch cancelled");
        });
        assertThat(readAll(names.jobs(), topics.jobs().valueDeserializer())).isEmpty();
    }

    private BatchSubmitter start(FileStore store) {
        PromptqClient client = PromptqClient.create(ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names)
                .rules(ValidationRules.defaults()).jobIdKey(KEY).sendTimeout(Duration.ofSeconds(30))
                .clientId(clientId).build());
        BatchEvents events = new BatchEvents(KafkaSettings.of(cluster.bootstrapServers()), topics.batches(),
                clientId + "-events", Duration.ofSeconds(30));
        BatchSubmitter submitter = BatchSubmitter.start(new BatchSubmitter.Settings(
                KafkaSettings.of(cluster.bootstrapServers()), topics, clientId, BatchConfig.defaults(), KEY, 64,
                Clock.systemUTC()), client, store, events);
        closeables.add(client);
        closeables.add(events);
        closeables.add(submitter);
        return submitter;
    }

    private static String validFile(int lines) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            out.append("{\"custom_id\":\"req-").append(i).append("\",\"method\":\"POST\",\"url\":\"").append(ENDPOINT)
                    .append("\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say ")
                    .append(i).append("\"}],\"max_tokens\":16}}\n");
        }
        return out.toString();
    }

    private StoredFile upload(String content) throws IOException {
        Instant now = Instant.now();
        return files.put(new NewFile("file-" + UniqueNames.of("in"), TENANT, "in.jsonl", StoredFile.PURPOSE_BATCH, now,
                now.plus(Duration.ofDays(1))), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static BatchEvent created(StoredFile input) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return BatchEvent.newBuilder().setBatchId(BatchIds.newId(now)).setTenant(TENANT)
                .setType(BatchEventType.CREATED).setAt(now).setInputFileId(input.id()).setEndpoint(ENDPOINT)
                .setCompletionWindow("24h").setExpiresAt(now.plus(Duration.ofHours(24))).setMetadata(Map.of())
                .build();
    }

    private static Set<String> expectedJobIds(String batchId, int lines) {
        Set<String> ids = new HashSet<>();
        for (int line = 1; line <= lines; line++) {
            ids.add(JobIds.of(KEY, TENANT, BatchAttributes.idempotencyKey(batchId, line)));
        }
        return ids;
    }

    private void writeEvent(BatchEvent event) throws Exception {
        Topic<String, BatchEvent> t = topics.batches();
        try (KafkaProducer<String, BatchEvent> producer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig("batch-it-writer"), t.keySerializer(),
                t.valueSerializer())) {
            producer.send(new ProducerRecord<>(t.name(), event.getBatchId(), event)).get();
        }
    }

    private BatchEvent awaitEvent(String batchId, BatchEventType type) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> events(batchId).stream()
                .filter(e -> e.getType() == type).findFirst(), Optional::isPresent).orElseThrow();
    }

    private List<BatchEvent> events(String batchId) {
        return readAll(names.batches(), topics.batches().valueDeserializer()).stream()
                .filter(e -> e.getBatchId().equals(batchId)).toList();
    }

    private List<PromptJob> awaitJobs(int count) throws InterruptedException {
        await().atMost(Duration.ofSeconds(120)).until(() -> readAll(names.jobs(),
                topics.jobs().valueDeserializer()).size() >= count);
        Thread.sleep(2_000); // anything beyond count would have arrived by now
        return readAll(names.jobs(), topics.jobs().valueDeserializer());
    }

    private Set<String> distinctJobIds() {
        return readAll(names.jobs(), topics.jobs().valueDeserializer()).stream().map(PromptJob::getJobId)
                .collect(Collectors.toSet());
    }

    /** Every record's value in {@code topic} now. */
    private <V> List<V> readAll(String topic, Deserializer<V> values) {
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                KafkaSettings.of(cluster.bootstrapServers()).consumerConfig(UniqueNames.of("it"), "batch-it-reader"),
                topics.batches().keyDeserializer(), values)) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<V> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
            return out;
        }
    }

    /**
     * A store whose second and later opens of a file stall (until the task is interrupted) after {@code lines}
     * lines: the submitter's submission pass stops midway, as if its process had died there.
     */
    private static final class StallingStore implements FileStore {
        private final FileStore delegate;
        private final CountDownLatch gate;
        private final int lines;
        private final AtomicInteger opens = new AtomicInteger();

        StallingStore(FileStore delegate, CountDownLatch gate, int lines) {
            this.delegate = delegate;
            this.gate = gate;
            this.lines = lines;
        }

        @Override
        public StoredFile write(NewFile file, ContentWriter writer) throws IOException {
            return delegate.write(file, writer);
        }

        @Override
        public Optional<StoredFile> get(String tenant, String id) {
            return delegate.get(tenant, id);
        }

        @Override
        public InputStream open(StoredFile file) throws IOException {
            InputStream in = delegate.open(file);
            if (opens.incrementAndGet() == 1) {
                return in;
            }
            return new FilterInputStream(in) {
                private int newlines;

                @Override
                public int read() throws IOException {
                    if (newlines >= lines) {
                        stall();
                    }
                    int b = super.read();
                    if (b == '\n') {
                        newlines++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    int b = read();
                    if (b < 0) {
                        return -1;
                    }
                    buffer[offset] = (byte) b;
                    return 1;
                }

                private void stall() throws InterruptedIOException {
                    try {
                        gate.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("stalled read interrupted");
                    }
                }
            };
        }

        @Override
        public List<StoredFile> list(String tenant, @Nullable String purpose, @Nullable String after, int limit,
                boolean ascending) {
            return delegate.list(tenant, purpose, after, limit, ascending);
        }

        @Override
        public boolean delete(String tenant, String id) throws IOException {
            return delegate.delete(tenant, id);
        }

        @Override
        public void close() {
        }
    }
}
