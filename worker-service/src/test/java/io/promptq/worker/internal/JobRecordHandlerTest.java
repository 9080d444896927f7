package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmRequest;
import io.promptq.llm.LlmResponse;
import io.promptq.llm.ProviderException;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.testkit.MutableClock;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import io.promptq.worker.TestJobs;
import io.promptq.worker.kafka.WorkerHeaders;
import io.promptq.worker.metrics.OutcomeMetrics;
import io.promptq.worker.processing.JobProcessor;
import io.promptq.worker.processing.LlmCaller;
import io.promptq.worker.processing.OutcomeRecords;
import io.promptq.worker.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.retry.Backoff;
import java.net.URI;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Decode, process, publish: against an in-memory registry and Kafka's {@link MockProducer}. */
class JobRecordHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final TopicNames NAMES = TopicNames.defaults();

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Topics topics = Topics.create(NAMES, registry, true);
    private final MutableClock clock = new MutableClock(NOW);
    private final FailingProducer producer = new FailingProducer();
    private final AtomicReference<RuntimeException> providerFailure = new AtomicReference<>();

    private final LlmCaller llm = new LlmCaller() {
        @Override
        public String providerName() {
            return "fake";
        }

        @Override
        public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
            providerMillis.accept(42);
            RuntimeException failure = providerFailure.get();
            if (failure != null) {
                throw failure;
            }
            return new LlmResponse("echo " + request.jobId(), "stop", 3, 4);
        }
    };

    private final JobRecordHandler handler = new JobRecordHandler(topics,
            Map.of(NAMES.retry(0), 0, NAMES.retry(1), 1),
            new JobProcessor(llm, RetryPolicy.of(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), 3)
                    .withRandom(() -> 0.5), clock, Duration.ofSeconds(60)),
            new OutcomeRecords("worker-1"), new OutcomePublisher(producer), new OutcomeMetrics("worker-1"), m -> { }, clock);

    private ConsumerRecord<byte[], byte[]> jobRecord(PromptJob job, long offset) {
        byte[] value = topics.jobs().valueSerializer().serialize(NAMES.jobs(), job);
        return new ConsumerRecord<>(NAMES.jobs(), 0, offset, job.getJobId().getBytes(StandardCharsets.UTF_8), value);
    }

    private <T> T value(ProducerRecord<byte[], byte[]> r, Class<T> type) {
        Object decoded = switch (type.getSimpleName()) {
            case "JobResult" -> topics.results().valueDeserializer().deserialize(r.topic(), r.value());
            case "DeadLetter" -> topics.deadLetters().valueDeserializer().deserialize(r.topic(), r.value());
            case "RetryJob" -> topics.retry(0).valueDeserializer().deserialize(r.topic(), r.value());
            default -> throw new IllegalArgumentException(type.getName());
        };
        return type.cast(decoded);
    }

    @Test
    void succeededJobPublishesOneResultKeyedByJobId() throws Exception {
        handler.handle(jobRecord(TestJobs.job("j-1", NOW.minusSeconds(2)), 5), () -> false);

        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(NAMES.results());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("j-1");
            JobResult result = value(r, JobResult.class);
            assertThat(result.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(result.getOutput()).isEqualTo("echo j-1");
            assertThat(result.getAttemptDurationsMs()).containsExactly(42L);
            assertThat(result.getProvider()).isEqualTo("fake");
            assertThat(result.getWorkerId()).isEqualTo("worker-1");
        });
    }

    @Test
    void permanentFailurePublishesADeadLetterAndADeadLetteredResult() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.INVALID_REQUEST, "400 bad request", 400, null, null));

        handler.handle(jobRecord(TestJobs.job("j-2", NOW), 6), () -> false);

        assertThat(producer.history()).hasSize(2);
        ProducerRecord<byte[], byte[]> dlq = producer.history().get(0);
        assertThat(dlq.topic()).isEqualTo(NAMES.deadLetters());
        assertThat(new String(dlq.headers().lastHeader(WorkerHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("PERMANENT_ERROR");
        DeadLetter letter = value(dlq, DeadLetter.class);
        assertThat(letter.getAttempts()).isEqualTo(1);
        assertThat(letter.getErrorType()).isEqualTo("INVALID_REQUEST");
        assertThat(letter.getSourceOffset()).isEqualTo(6);
        JobResult result = value(producer.history().get(1), JobResult.class);
        assertThat(result.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(result.getError().getHttpStatus()).isEqualTo(400);
    }

    @Test
    void transientFailureGoesToTheFirstRetryTierWithItsDueTimeInAHeader() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));

        handler.handle(jobRecord(TestJobs.job("j-3", NOW), 7), () -> false);

        ProducerRecord<byte[], byte[]> r = producer.history().get(0);
        assertThat(producer.history()).hasSize(1);
        assertThat(r.topic()).isEqualTo(NAMES.retry(0));
        RetryJob retry = value(r, RetryJob.class);
        assertThat(retry.getAttempts()).isEqualTo(1);
        assertThat(retry.getOriginOffset()).isEqualTo(7);
        assertThat(WorkerHeaders.millis(r.headers(), WorkerHeaders.DUE_AT)).hasValue(retry.getDueAt().toEpochMilli());
    }

    @Test
    void garbageBytesAreDeadLetteredWithTheRawRecord() throws Exception {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        handler.handle(new ConsumerRecord<>(NAMES.jobs(), 1, 9, "k".getBytes(StandardCharsets.UTF_8), garbage), () -> false);

        ProducerRecord<byte[], byte[]> r = producer.history().get(0);
        assertThat(r.topic()).isEqualTo(NAMES.deadLetters());
        DeadLetter letter = value(r, DeadLetter.class);
        assertThat(letter.getJob()).isNull();
        assertThat(letter.getJobId()).isEqualTo("k");
        assertThat(letter.getRawValue().array()).containsExactly(garbage);
        assertThat(letter.getErrorType()).isEqualTo("UNKNOWN_MAGIC_BYTE");
        assertThat(letter.getSourcePartition()).isEqualTo(1);
        assertThat(letter.getSourceOffset()).isEqualTo(9);
    }

    @Test
    void unknownSchemaIdIsDeadLetteredWithTheRawRecord() throws Exception {
        byte[] unknownId = {0, 0, 0, 0x7f, 0x7f, 2, 4, 6};

        handler.handle(new ConsumerRecord<>(NAMES.jobs(), 0, 3, null, unknownId), () -> false);

        DeadLetter letter = value(producer.history().get(0), DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(letter.getRawValue().array()).containsExactly(unknownId);
        assertThat(letter.getRawKey()).isNull();
    }

    @Test
    void abandonedJobPublishesNothing() {
        assertThatThrownBy(() -> handler.handle(jobRecord(TestJobs.job("j-4", NOW), 8), () -> true))
                .isInstanceOf(CancellationException.class);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void resultTheBrokerRefusesIsDeadLetteredInstead() throws Exception {
        producer.failNext(new RecordTooLargeException("too large"));

        handler.handle(jobRecord(TestJobs.job("j-5", NOW), 10), () -> false);

        assertThat(producer.history()).extracting(ProducerRecord::topic).containsExactly(NAMES.deadLetters(), NAMES.results());
        DeadLetter letter = value(producer.history().get(0), DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(value(producer.history().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
    }

    @Test
    void transientPublishFailureIsRetriedUntilAcknowledged() throws Exception {
        producer.failNext(new TimeoutException("broker busy"));

        handler.handle(jobRecord(TestJobs.job("j-6", NOW), 11), () -> false);

        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(NAMES.results());
            assertThat(value(r, JobResult.class).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        });
    }

    @Test
    void jobTooLargeToRetryOrDeadLetterIsDeadLetteredWithoutItsBody() throws Exception {
        producer.rejectValuesLargerThan(20_000);
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));
        PromptJob big = TestJobs.job("j-7", NOW);
        big.setMessages(List.of(new io.promptq.schema.ChatMessage(io.promptq.schema.Role.USER, "x".repeat(50_000))));

        handler.handle(jobRecord(big, 12), () -> false);

        // The retry record and the full dead letter are refused; the result of the first try may land (at least
        // once: the aggregator counts a job's first result only), then the slim dead letter and its result.
        List<ProducerRecord<byte[], byte[]>> letters = producer.history().stream()
                .filter(r -> r.topic().equals(NAMES.deadLetters())).toList();
        assertThat(letters).hasSize(1);
        DeadLetter letter = value(letters.getFirst(), DeadLetter.class);
        assertThat(letter.getJob()).isNull();
        assertThat(letter.getJobId()).isEqualTo("j-7");
        assertThat(letter.getSourceOffset()).isEqualTo(12);
        assertThat(letter.getErrorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(producer.history()).filteredOn(r -> r.topic().equals(NAMES.results())).isNotEmpty()
                .allSatisfy(r -> assertThat(value(r, JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED));
        assertThat(producer.history().getLast().topic()).isEqualTo(NAMES.results());
    }

    @Test
    void undecodableRecordTooLargeToKeepIsDeadLetteredWithoutItsRawValue() throws Exception {
        producer.rejectValuesLargerThan(20_000);
        byte[] garbage = new byte[50_000];
        garbage[0] = 42;

        handler.handle(new ConsumerRecord<>(NAMES.jobs(), 1, 13, "k".getBytes(StandardCharsets.UTF_8), garbage), () -> false);

        DeadLetter letter = value(producer.history().getFirst(), DeadLetter.class);
        assertThat(letter.getRawValue()).isNull();
        assertThat(letter.getSourceOffset()).isEqualTo(13);
        assertThat(letter.getErrorMessage()).contains("50000 bytes left out");
    }

    @Test
    void registryRefusingOnceDelaysTheJobInsteadOfDeadLetteringIt() throws Exception {
        AtomicInteger refusals = new AtomicInteger(1);
        SchemaRegistryClient flaky = new SchemaRegistryClient() {
            @Override
            public int register(String subject, org.apache.avro.Schema schema) {
                return registry.register(subject, schema);
            }

            @Override
            public int idOf(String subject, org.apache.avro.Schema schema) {
                return registry.idOf(subject, schema);
            }

            @Override
            public org.apache.avro.Schema schemaById(int id) {
                if (refusals.getAndDecrement() > 0) {
                    throw new RegistryRefusedException("Schema registry answered GET /schemas/ids/" + id + " with HTTP 401", 401);
                }
                return registry.schemaById(id);
            }

            @Override
            public boolean isCompatible(String subject, org.apache.avro.Schema schema) {
                return true;
            }

            @Override
            public void setCompatibility(String subject, String level) {
            }

            @Override
            public void close() {
            }
        };
        Topics flakyTopics = Topics.create(NAMES, flaky, true);
        JobRecordHandler flakyHandler = new JobRecordHandler(flakyTopics, Map.of(NAMES.retry(0), 0),
                new JobProcessor(llm, RetryPolicy.of(List.of(Duration.ofSeconds(1)), 3), clock, Duration.ofSeconds(60)),
                new OutcomeRecords("worker-1"), new OutcomePublisher(producer), new OutcomeMetrics("worker-1"), m -> { }, clock);

        flakyHandler.handle(jobRecord(TestJobs.job("j-8", NOW), 14), () -> false);

        assertThat(refusals.get()).isNegative();
        assertThat(producer.history()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(NAMES.results());
            assertThat(value(r, JobResult.class).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        });
    }

    @Test
    void unreachableRegistryIsWaitedOutWithJitteredBackoffUntilTheJobIsAbandoned() {
        AtomicInteger lookups = new AtomicInteger();
        SchemaRegistryClient down = new SchemaRegistryClient() {
            @Override
            public int register(String subject, org.apache.avro.Schema schema) {
                return registry.register(subject, schema);
            }

            @Override
            public int idOf(String subject, org.apache.avro.Schema schema) {
                return registry.idOf(subject, schema);
            }

            @Override
            public org.apache.avro.Schema schemaById(int id) {
                lookups.incrementAndGet();
                throw new RegistryUnreachableException(List.of(URI.create("http://registry:8081")), 4,
                        "Connection refused", null);
            }

            @Override
            public boolean isCompatible(String subject, org.apache.avro.Schema schema) {
                return true;
            }

            @Override
            public void setCompatibility(String subject, String level) {
            }

            @Override
            public void close() {
            }
        };
        List<Duration> waits = new ArrayList<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        Backoff decodeBackoff = Backoff.exponential(Duration.ofMillis(200), Duration.ofMillis(500)).fullJitter()
                .random(() -> 0.5).sleeper(d -> {
                    waits.add(d);
                    abandoned.set(waits.size() == 3);
                }).build();
        JobRecordHandler waiting = new JobRecordHandler(Topics.create(NAMES, down, true), Map.of(NAMES.retry(0), 0),
                new JobProcessor(llm, RetryPolicy.of(List.of(Duration.ofSeconds(1)), 3), clock, Duration.ofSeconds(60)),
                new OutcomeRecords("worker-1"), new OutcomePublisher(producer), new OutcomeMetrics("worker-1"), m -> { },
                clock, decodeBackoff);

        assertThatThrownBy(() -> waiting.handle(jobRecord(TestJobs.job("j-9", NOW), 15), abandoned::get))
                .isInstanceOf(CancellationException.class);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(lookups.get()).isEqualTo(4);
        assertThat(producer.history()).as("nothing dead-lettered for the registry's trouble").isEmpty();
    }

    @Test
    void decodeWaitsHaveNoBudgetOfTheirOwn() {
        assertThat(JobRecordHandler.DECODE_BACKOFF.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(JobRecordHandler.DECODE_BACKOFF.maxElapsed()).isEmpty();
        assertThat(JobRecordHandler.DECODE_BACKOFF.ceiling(100)).isEqualTo(Duration.ofSeconds(10));
    }

    /** A MockProducer that can fail the next send, or every value above a size, as a broker would. */
    static final class FailingProducer extends MockProducer<byte[], byte[]> {
        private final AtomicReference<RuntimeException> next = new AtomicReference<>();
        private volatile int maxValueBytes = Integer.MAX_VALUE;

        void rejectValuesLargerThan(int bytes) {
            maxValueBytes = bytes;
        }

        FailingProducer() {
            super(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        }

        void failNext(RuntimeException e) {
            next.set(e);
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            RuntimeException e = next.getAndSet(null);
            if (e != null) {
                return CompletableFuture.failedFuture(e);
            }
            if (record.value() != null && record.value().length > maxValueBytes) {
                return CompletableFuture.failedFuture(new RecordTooLargeException(record.value().length + " bytes"));
            }
            return super.send(record);
        }
    }
}
