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
import io.promptq.worker.kafka.JobContext;
import io.promptq.worker.kafka.JobOutput;
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
import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.retry.Backoff;
import java.net.URI;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import io.promptq.llm.ModelUnavailableException;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;

/** Decode, process, build the output: against an in-memory registry. */
class JobRecordHandlerTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final TopicNames NAMES = TopicNames.defaults();

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Topics topics = Topics.create(NAMES, registry, true);
    private final MutableClock clock = new MutableClock(NOW);
    private static final int MAX_REQUEST_SIZE = 1024 * 1024;
    private final AtomicInteger providerCalls = new AtomicInteger();
    private final AtomicReference<RuntimeException> providerFailure = new AtomicReference<>();

    private final LlmCaller llm = new LlmCaller() {
        @Override
        public String providerName() {
            return "fake";
        }

        @Override
        public LlmResponse call(LlmRequest request, LongConsumer providerMillis) {
            providerCalls.incrementAndGet();
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
            new OutcomeRecords("worker-1"), new OutcomeMetrics("worker-1"), m -> { }, clock, MAX_REQUEST_SIZE, 3);

    private static JobContext running() {
        return context(() -> false, 0);
    }

    private static JobContext context(BooleanSupplier abandoned, int previousStarts) {
        return new JobContext() {
            @Override
            public boolean abandoned() {
                return abandoned.getAsBoolean();
            }

            @Override
            public int previousStarts() {
                return previousStarts;
            }
        };
    }

    /** A handler whose records may be at most {@code maxRecordBytes} (the producer's max.request.size). */
    private JobRecordHandler limitedTo(int maxRecordBytes) {
        return new JobRecordHandler(topics, Map.of(NAMES.retry(0), 0, NAMES.retry(1), 1),
                new JobProcessor(llm, RetryPolicy.of(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), 3)
                        .withRandom(() -> 0.5), clock, Duration.ofSeconds(60)),
                new OutcomeRecords("worker-1"), new OutcomeMetrics("worker-1"), m -> { }, clock, maxRecordBytes, 3);
    }

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
    void succeededJobReturnsOneResultKeyedByJobId() throws Exception {
        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-1", NOW.minusSeconds(2)), 5), running());

        assertThat(out.records()).singleElement().satisfies(r -> {
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
    void outcomeThatCannotBeBuiltIsDeadLetteredAsInternalErrorAfterExactlyOneProviderCall() throws Exception {
        // A foreign job whose submittedAt makes the result's duration arithmetic overflow (ArithmeticException).
        PromptJob foreign = PromptJob.newBuilder(TestJobs.job("j-far", NOW))
                .setSubmittedAt(Instant.ofEpochMilli(Long.MIN_VALUE)).build();

        JobOutput out = handler.handle(jobRecord(foreign, 9), running());

        assertThat(providerCalls).hasValue(1);
        assertThat(out.records()).singleElement().satisfies(r -> {
            assertThat(r.topic()).isEqualTo(NAMES.deadLetters());
            assertThat(reason(r)).isEqualTo("INTERNAL_ERROR");
            DeadLetter letter = value(r, DeadLetter.class);
            assertThat(letter.getJobId()).isEqualTo("j-far");
            assertThat(letter.getErrorType()).isEqualTo("INTERNAL_ERROR");
            assertThat(letter.getErrorMessage()).contains("ArithmeticException");
            assertThat(letter.getSourceOffset()).isEqualTo(9);
        });
    }

    @Test
    void foreignJobWithAnEmptyJobIdIsDeadLetteredAsInvalidWithoutCallingTheProvider() throws Exception {
        PromptJob foreign = PromptJob.newBuilder(TestJobs.job("j-x", NOW)).setJobId("").build();

        JobOutput out = handler.handle(jobRecord(foreign, 10), running());

        assertThat(providerCalls).hasValue(0);
        ProducerRecord<byte[], byte[]> dlq = out.records().get(0);
        assertThat(reason(dlq)).isEqualTo("INVALID_JOB");
        DeadLetter letter = value(dlq, DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("INVALID_JOB");
        assertThat(letter.getErrorMessage()).contains("jobId is required");
        assertThat(letter.getSourceOffset()).isEqualTo(10);
    }

    @Test
    void foreignJobWithAnOverLongJobIdIsDeadLetteredAsInvalidWithoutCallingTheProvider() throws Exception {
        PromptJob foreign = PromptJob.newBuilder(TestJobs.job("j-x", NOW)).setJobId("j".repeat(129)).build();

        JobOutput out = handler.handle(jobRecord(foreign, 11), running());

        assertThat(providerCalls).hasValue(0);
        ProducerRecord<byte[], byte[]> dlq = out.records().get(0);
        assertThat(reason(dlq)).isEqualTo("INVALID_JOB");
        assertThat(value(dlq, DeadLetter.class).getErrorMessage()).contains("at most 128 characters, but was 129");
        assertThat(value(out.records().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
    }

    @Test
    void permanentFailureReturnsADeadLetterAndADeadLetteredResult() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.INVALID_REQUEST, "400 bad request", 400, null, null));

        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-2", NOW), 6), running());

        assertThat(out.records()).hasSize(2);
        ProducerRecord<byte[], byte[]> dlq = out.records().get(0);
        assertThat(dlq.topic()).isEqualTo(NAMES.deadLetters());
        assertThat(reason(dlq)).isEqualTo("PERMANENT_ERROR");
        DeadLetter letter = value(dlq, DeadLetter.class);
        assertThat(letter.getAttempts()).isEqualTo(1);
        assertThat(letter.getErrorType()).isEqualTo("INVALID_REQUEST");
        assertThat(letter.getSourceOffset()).isEqualTo(6);
        JobResult result = value(out.records().get(1), JobResult.class);
        assertThat(result.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(result.getError().getHttpStatus()).isEqualTo(400);
    }

    @Test
    void transientFailureGoesToTheFirstRetryTierWithItsDueTimeInAHeader() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));

        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-3", NOW), 7), running());

        assertThat(out.records()).hasSize(1);
        ProducerRecord<byte[], byte[]> r = out.records().get(0);
        assertThat(r.topic()).isEqualTo(NAMES.retry(0));
        RetryJob retry = value(r, RetryJob.class);
        assertThat(retry.getAttempts()).isEqualTo(1);
        assertThat(retry.getOriginOffset()).isEqualTo(7);
        assertThat(WorkerHeaders.millis(r.headers(), WorkerHeaders.DUE_AT)).hasValue(retry.getDueAt().toEpochMilli());
    }

    private JobRecordHandler withStates() {
        return withStates(true);
    }

    private JobRecordHandler withStates(boolean statusTopicReady) {
        return new JobRecordHandler(topics, Map.of(NAMES.retry(0), 0, NAMES.retry(1), 1),
                new JobProcessor(llm, RetryPolicy.of(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), 3)
                        .withRandom(() -> 0.5), clock, Duration.ofSeconds(60)),
                new OutcomeRecords("worker-1"), new OutcomeMetrics("worker-1"), m -> { }, clock, MAX_REQUEST_SIZE, 3,
                JobRecordHandler.DECODE_BACKOFF, JobRecordHandler.SERIALIZE_BACKOFF,
                new io.promptq.worker.cancel.Cancellations(1, Duration.ofDays(1), clock, outcome -> { }), "worker-1",
                () -> statusTopicReady);
    }

    @Test
    void aFailedAttemptGoingToARetryTierWritesItsRetryingStateWithTheRetryRecord() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));

        JobOutput out = withStates().handle(jobRecord(TestJobs.job("j-states", NOW), 7), running());

        assertThat(out.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.retry(0), NAMES.status());
        RetryJob retry = value(out.records().get(0), RetryJob.class);
        ProducerRecord<byte[], byte[]> state = out.records().get(1);
        assertThat(state.key()).isEqualTo("j-states".getBytes(StandardCharsets.UTF_8));
        assertThat(topics.status().valueDeserializer().deserialize(state.topic(), state.value()))
                .isEqualTo(JobStateChange.newBuilder().setJobId("j-states").setTenant(retry.getJob().getTenant())
                        .setState(JobState.RETRYING).setAt(NOW).setAttempt(1).setWorkerId("worker-1")
                        .setNextAttemptAt(retry.getDueAt()).setErrorClass(ErrorClass.SERVER_ERROR.name()).build());
    }

    @Test
    void whileTheStatusTopicIsMissingARetryIsWrittenWithoutItsRetryingState() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));

        JobOutput out = withStates(false).handle(jobRecord(TestJobs.job("j-no-status", NOW), 9), running());

        assertThat(out.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.retry(0));
    }

    @Test
    void aJobParkedWithoutSpendingAnAttemptWritesNoState() throws Exception {
        providerFailure.set(new ModelUnavailableException("m", NOW.plusSeconds(30), "breaker open", null));

        JobOutput out = withStates().handle(jobRecord(TestJobs.job("j-parked", NOW), 8), running());

        assertThat(out.records()).singleElement().extracting(ProducerRecord::topic).isNotEqualTo(NAMES.status());
    }

    @Test
    void garbageBytesAreDeadLetteredWithTheRawRecord() throws Exception {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);

        JobOutput out = handler.handle(new ConsumerRecord<>(NAMES.jobs(), 1, 9, "k".getBytes(StandardCharsets.UTF_8),
                garbage), running());

        ProducerRecord<byte[], byte[]> r = out.records().get(0);
        assertThat(r.topic()).isEqualTo(NAMES.deadLetters());
        DeadLetter letter = value(r, DeadLetter.class);
        assertThat(letter.getJob()).isNull();
        assertThat(out.records()).as("no JobResult for a record without a valid job").hasSize(1);
        assertThat(r.key()).as("keyed by the raw source key").containsExactly("k".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.getJobId()).as("the key as text").isEqualTo("k");
        assertThat(letter.getRawKey().array()).containsExactly("k".getBytes(StandardCharsets.UTF_8));
        assertThat(letter.getRawValue().array()).containsExactly(garbage);
        assertThat(letter.getErrorType()).isEqualTo("UNKNOWN_MAGIC_BYTE");
        assertThat(letter.getSourcePartition()).isEqualTo(1);
        assertThat(letter.getSourceOffset()).isEqualTo(9);
    }

    @Test
    void unknownSchemaIdIsDeadLetteredWithTheRawRecord() throws Exception {
        byte[] unknownId = {0, 0, 0, 0x7f, 0x7f, 2, 4, 6};

        JobOutput out = handler.handle(new ConsumerRecord<>(NAMES.jobs(), 0, 3, null, unknownId), running());

        DeadLetter letter = value(out.records().get(0), DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("UNKNOWN_SCHEMA_ID");
        assertThat(letter.getRawValue().array()).containsExactly(unknownId);
        assertThat(letter.getRawKey()).isNull();
    }

    @Test
    void abandonedJobReturnsNothing() {
        assertThatThrownBy(() -> handler.handle(jobRecord(TestJobs.job("j-4", NOW), 8), context(() -> true, 0)))
                .isInstanceOf(CancellationException.class);
    }

    @Test
    void fallbackOfAResultTheBrokerRefusesDeadLettersTheJob() throws Exception {
        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-5", NOW), 10), running());

        JobOutput fallback = out.fallback();

        assertThat(fallback.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.deadLetters(), NAMES.results());
        DeadLetter letter = value(fallback.records().get(0), DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(letter.getJob().getJobId()).isEqualTo("j-5");
        assertThat(reason(fallback.records().get(0))).isEqualTo("PUBLISH_FAILED");
        assertThat(value(fallback.records().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(value(fallback.fallback().records().get(0), DeadLetter.class).getJob())
                .as("and the dead letter's fallback leaves the job out").isNull();
    }

    @Test
    void resultAboveTheProducersLimitIsDeadLetteredOnTheJobThread() throws Exception {
        PromptJob job = TestJobs.job("j-6", NOW);
        int resultSize = JobRecordHandler.estimatedSize(handler.handle(jobRecord(job, 11), running()).records().get(0));

        JobOutput out = limitedTo(resultSize - 1).handle(jobRecord(job, 11), running());

        assertThat(out.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.deadLetters(), NAMES.results());
        assertThat(value(out.records().get(0), DeadLetter.class).getErrorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(value(out.records().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
    }

    @Test
    void jobTooLargeToRetryOrDeadLetterIsDeadLetteredWithoutItsBody() throws Exception {
        providerFailure.set(new ProviderException(ErrorClass.SERVER_ERROR, "503", 503, null, null));
        PromptJob big = TestJobs.job("j-7", NOW);
        big.setMessages(List.of(new io.promptq.schema.ChatMessage(io.promptq.schema.Role.USER, "x".repeat(50_000))));

        JobOutput out = limitedTo(20_000).handle(jobRecord(big, 12), running());

        // The retry record and the full dead letter are above the limit: the slim dead letter and its result.
        assertThat(out.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.deadLetters(), NAMES.results());
        DeadLetter letter = value(out.records().get(0), DeadLetter.class);
        assertThat(letter.getJob()).isNull();
        assertThat(letter.getJobId()).isEqualTo("j-7");
        assertThat(letter.getSourceOffset()).isEqualTo(12);
        assertThat(letter.getErrorType()).isEqualTo("PUBLISH_FAILED");
        assertThat(value(out.records().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
        assertThat(out.hasFallback()).isFalse();
    }

    @Test
    void undecodableRecordTooLargeToKeepIsDeadLetteredWithoutItsRawValue() throws Exception {
        byte[] garbage = new byte[50_000];
        garbage[0] = 42;

        JobOutput out = limitedTo(20_000).handle(new ConsumerRecord<>(NAMES.jobs(), 1, 13,
                "k".getBytes(StandardCharsets.UTF_8), garbage), running());

        DeadLetter letter = value(out.records().getFirst(), DeadLetter.class);
        assertThat(letter.getRawValue()).isNull();
        assertThat(letter.getSourceOffset()).isEqualTo(13);
        assertThat(letter.getErrorMessage()).contains("50000 bytes left out");
    }

    @Test
    void jobStartedTooOftenWithoutAnOutcomeIsDeadLetteredAsACrashLoopWithoutCallingTheProvider() throws Exception {
        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-10", NOW), 16), context(() -> false, 3));

        assertThat(providerCalls).hasValue(0);
        assertThat(out.records()).extracting(ProducerRecord::topic).containsExactly(NAMES.deadLetters(), NAMES.results());
        assertThat(reason(out.records().get(0))).isEqualTo("CRASH_LOOP");
        DeadLetter letter = value(out.records().get(0), DeadLetter.class);
        assertThat(letter.getErrorType()).isEqualTo("CRASH_LOOP");
        assertThat(letter.getErrorMessage()).contains("started 3 times");
        assertThat(value(out.records().get(1), JobResult.class).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
    }

    @Test
    void jobStartedFewerTimesThanTheLimitCallsTheProvider() throws Exception {
        JobOutput out = handler.handle(jobRecord(TestJobs.job("j-11", NOW), 17), context(() -> false, 2));

        assertThat(providerCalls).hasValue(1);
        assertThat(value(out.records().get(0), JobResult.class).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
    }

    private static String reason(ProducerRecord<byte[], byte[]> r) {
        return new String(r.headers().lastHeader(WorkerHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8);
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
                new OutcomeRecords("worker-1"), new OutcomeMetrics("worker-1"), m -> { }, clock, MAX_REQUEST_SIZE, 3);

        JobOutput out = flakyHandler.handle(jobRecord(TestJobs.job("j-8", NOW), 14), running());

        assertThat(refusals.get()).isNegative();
        assertThat(out.records()).singleElement().satisfies(r -> {
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
                new OutcomeRecords("worker-1"), new OutcomeMetrics("worker-1"), m -> { }, clock, MAX_REQUEST_SIZE, 3,
                decodeBackoff, JobRecordHandler.SERIALIZE_BACKOFF);

        assertThatThrownBy(() -> waiting.handle(jobRecord(TestJobs.job("j-9", NOW), 15), context(abandoned::get, 0)))
                .as("nothing dead-lettered for the registry's trouble")
                .isInstanceOf(CancellationException.class);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(lookups.get()).isEqualTo(4);
    }

    @Test
    void decodeWaitsHaveNoBudgetOfTheirOwn() {
        assertThat(JobRecordHandler.DECODE_BACKOFF.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        assertThat(JobRecordHandler.DECODE_BACKOFF.maxElapsed()).isEmpty();
        assertThat(JobRecordHandler.DECODE_BACKOFF.ceiling(100)).isEqualTo(Duration.ofSeconds(10));
    }
}
