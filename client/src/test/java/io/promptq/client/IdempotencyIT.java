package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Idempotency keys through the client library, against the real broker and registry. */
@PromptqCluster
class IdempotencyIT {

    private ClusterInfo cluster;
    private TopicNames names;
    private SchemaRegistryClient registry;
    private final List<PromptqClient> clients = new ArrayList<>();

    @BeforeEach
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        String jobs = UniqueNames.of("promptq.jobs.idem-it");
        names = new TopicNames(jobs, TopicNames.DEFAULT_RETRY_PREFIX, TopicNames.DEFAULT_DEAD_LETTERS,
                TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS, TopicNames.DEFAULT_WINDOWS);
        cluster.createTopics(3, names.jobs(), names.idempotency());
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
    }

    @AfterEach
    void stop() {
        clients.forEach(PromptqClient::close);
        registry.close();
    }

    @Test
    void fiveConcurrentSubmitsOfOneKeyGetOneJobIdAndWriteOneRecord() throws Exception {
        PromptqClient client = client();
        JobRequest request = request("concurrent", "Summarize the report.");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<SubmitReceipt>> receipts = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(5)) {
            for (int i = 0; i < 5; i++) {
                receipts.add(CompletableFuture.supplyAsync(() -> {
                    awaitLatch(go);
                    return client.submit(request).join();
                }, pool));
            }
            go.countDown();
            for (CompletableFuture<SubmitReceipt> receipt : receipts) {
                receipt.get(30, TimeUnit.SECONDS);
            }
        }

        String jobId = JobIds.derive("acme", "concurrent").toString();
        assertThat(receipts).extracting(CompletableFuture::join).extracting(SubmitReceipt::jobId).containsOnly(jobId);
        assertThat(receipts).extracting(CompletableFuture::join).filteredOn(r -> !r.duplicate()).hasSize(1);
        List<ConsumerRecord<String, byte[]>> records = jobRecords();
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(jobId);
            assertThat(JobHeaders.payloadHash(record.headers())).isPresent();
        });
    }

    @Test
    void aKeyInTheLedgerIsAnsweredFromItWithoutWritingAndAnotherPayloadIsAConflict() throws Exception {
        PromptqClient client = client();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        client.metrics().bindTo(meters);
        JobRequest request = request("from-ledger", "Translate this.");
        String jobId = JobIds.derive("acme", "from-ledger").toString();

        writeLedgerEntry(jobId, "from-ledger", PayloadHash.of(avro(jobId, "Translate this.")), 2, 1234);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> meters.get(ClientMetrics.IDEMPOTENCY_KEYS).gauge().value() >= 1);

        SubmitReceipt receipt = client.submit(request).get(30, TimeUnit.SECONDS);
        assertThat(receipt).isEqualTo(new SubmitReceipt(jobId, names.jobs(), 2, 1234, true));
        assertThatThrownBy(() -> client.submit(request("from-ledger", "Translate that.")).get(30, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
                    assertThat(e.idempotencyKey()).isEqualTo("from-ledger");
                    assertThat(e.jobId()).isEqualTo(jobId);
                });
        assertThat(jobRecords()).isEmpty();
        assertThat(meters.get(ClientMetrics.IDEMPOTENCY_DUPLICATES).functionCounter().count()).isEqualTo(1);
        assertThat(meters.get(ClientMetrics.IDEMPOTENCY_CONFLICTS).functionCounter().count()).isEqualTo(1);
    }

    @Test
    void aRestartedClientRebuildsItsIndexFromTheLedger() throws Exception {
        PromptqClient first = client();
        SubmitReceipt written = first.submit(request("restart", "Classify this ticket.")).get(30, TimeUnit.SECONDS);
        ConsumerRecord<String, byte[]> record = jobRecords().get(0);
        PayloadHash hash = JobHeaders.payloadHash(record.headers()).orElseThrow();
        writeLedgerEntry(written.jobId(), "restart", hash, written.partition(), written.offset());
        first.close();
        clients.remove(first);

        PromptqClient restarted = client();

        assertThatThrownBy(() -> restarted.submit(request("restart", "Classify this e-mail.")).get(30, TimeUnit.SECONDS))
                .cause().isInstanceOf(IdempotencyConflictException.class);
        assertThat(restarted.submit(request("restart", "Classify this ticket.")).get(30, TimeUnit.SECONDS))
                .isEqualTo(written.asDuplicate());
        assertThat(jobRecords()).hasSize(1);
    }

    private PromptqClient client() {
        PromptqClient client = PromptqClient.create(ClientConfig.of(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl())).toBuilder().topics(names)
                .sendTimeout(Duration.ofSeconds(30)).clientId(UniqueNames.of("idem-it")).build());
        clients.add(client);
        return client;
    }

    private static JobRequest request(String key, String prompt) {
        return JobRequest.builder().tenant("acme").model("gpt-4o-mini").user(prompt).maxTokens(64).idempotencyKey(key)
                .build();
    }

    /** The job {@link #request} makes, built from the schema, as a worker would see it. */
    private static PromptJob avro(String jobId, String prompt) {
        return PromptJob.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt-4o-mini")
                .setMessages(List.of(new ChatMessage(Role.USER, prompt)))
                .setParameters(GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(64).setTopP(null)
                        .setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                .setSubmittedAt(Instant.now()).setDeadline(null).setIdempotencyKey("k").setPriority(0)
                .setAttributes(Map.of()).build();
    }

    /** Writes the entry a worker writes when it first sees a keyed job. */
    private void writeLedgerEntry(String jobId, String key, PayloadHash hash, int partition, long offset) throws Exception {
        Topic<String, IdempotencyEntry> ledger = Topics.create(names, registry, true).idempotency();
        try (KafkaProducer<String, IdempotencyEntry> producer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig("idem-it-worker"),
                ledger.keySerializer(), ledger.valueSerializer())) {
            producer.send(new ProducerRecord<>(ledger.name(), jobId, IdempotencyEntry.newBuilder().setJobId(jobId)
                    .setTenant("acme").setIdempotencyKey(key).setPayloadHash(ByteBuffer.wrap(hash.toBytes()))
                    .setAcceptedAt(Instant.now()).setPartition(partition).setOffset(offset).build())).get(30, TimeUnit.SECONDS);
        }
    }

    private List<ConsumerRecord<String, byte[]>> jobRecords() {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.of(cluster.bootstrapServers()).consumerConfig(UniqueNames.of("idem-it"), "idem-it-reader"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(names.jobs()).stream()
                    .map(p -> new TopicPartition(names.jobs(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
