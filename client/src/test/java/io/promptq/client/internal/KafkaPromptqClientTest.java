package io.promptq.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.client.ClientMetrics;
import io.promptq.client.IdempotencyConflictException;
import io.promptq.client.InvalidJobException;
import io.promptq.client.JobIds;
import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.SubmitException;
import io.promptq.client.SubmitException.Reason;
import io.promptq.client.SubmitReceipt;
import io.promptq.client.ValidationRules;
import io.promptq.client.Violation;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.retry.Backoff;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KafkaPromptqClientTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00.123456Z");

    private final SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    private final Topic<String, PromptJob> jobs = Topics.create(TopicNames.defaults(), registry, true).jobs();
    private KafkaPromptqClient client;

    private KafkaPromptqClient client(MockProducer<String, byte[]> producer, Duration sendTimeout) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), sendTimeout, clock, registry);
        return client;
    }

    private static MockProducer<String, byte[]> producer(boolean autoComplete) {
        return new MockProducer<>(autoComplete, null, new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    @Test
    void publishesTheJobKeyedByItsIdAndReturnsWhereItLanded() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        JobRequest request = JobRequest.builder().tenant("acme").model("gpt-4o-mini").system("Be brief.")
                .user("Hello").temperature(0.2).maxTokens(64).stop("END").idempotencyKey("k-1")
                .deadline(NOW.plusSeconds(3600)).priority(2).attribute("team", "search").build();

        SubmitReceipt receipt = client(producer, Duration.ofSeconds(5)).submit(request).get(10, TimeUnit.SECONDS);

        String jobId = JobIds.derive("acme", "k-1").toString();
        assertThat(receipt).isEqualTo(new SubmitReceipt(jobId, "promptq.jobs", 0, 0));
        assertThat(producer.history()).hasSize(1);
        ProducerRecord<String, byte[]> record = producer.history().get(0);
        assertThat(record.key()).isEqualTo(jobId);
        PromptJob job = jobs.valueDeserializer().deserialize(record.topic(), record.value());
        assertThat(job.getJobId()).isEqualTo(jobId);
        assertThat(job.getTenant()).isEqualTo("acme");
        assertThat(job.getMessages()).containsExactly(new ChatMessage(Role.SYSTEM, "Be brief."),
                new ChatMessage(Role.USER, "Hello"));
        assertThat(job.getParameters().getTemperature()).isEqualTo(0.2);
        assertThat(job.getParameters().getMaxTokens()).isEqualTo(64);
        assertThat(job.getParameters().getStop()).containsExactly("END");
        assertThat(job.getSubmittedAt()).isEqualTo(Instant.parse("2026-11-22T12:00:00.123Z"));
        assertThat(job.getDeadline()).isEqualTo(Instant.parse("2026-11-22T13:00:00.123Z"));
        assertThat(job.getIdempotencyKey()).isEqualTo("k-1");
        assertThat(job.getPriority()).isEqualTo(2);
        assertThat(job.getAttributes()).isEqualTo(Map.of("team", "search"));
    }

    @Test
    void appliesDefaultsForOmittedParameters() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);

        client(producer, Duration.ofSeconds(5)).submit(JobRequest.builder().tenant("t").model("m").user("u").build())
                .get(10, TimeUnit.SECONDS);

        PromptJob job = jobs.valueDeserializer().deserialize("promptq.jobs", producer.history().get(0).value());
        assertThat(job.getParameters().getTemperature()).isEqualTo(JobRequest.DEFAULT_TEMPERATURE);
        assertThat(job.getParameters().getMaxTokens()).isEqualTo(ValidationRules.DEFAULT_DEFAULT_MAX_TOKENS);
        assertThat(job.getParameters().getTopP()).isNull();
        assertThat(job.getDeadline()).isNull();
        assertThat(job.getIdempotencyKey()).isNull();
    }

    @Test
    void invalidJobFailsWithItsViolationsAndWritesNothing() {
        MockProducer<String, byte[]> producer = producer(true);

        CompletableFuture<SubmitReceipt> future = client(producer, Duration.ofSeconds(5))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").temperature(5).build());

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.violations())
                        .containsExactly(new Violation("temperature", "must be between 0 and 2, but was 5.0")));
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void brokerErrorIsReportedAsRetriableUnavailability() {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = client(producer, Duration.ofSeconds(30))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        producer.errorNext(new NotEnoughReplicasException("isr too small"));

        assertFailsWith(future, Reason.UNAVAILABLE);
    }

    @Test
    void recordTooLargeIsNotRetriable() {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = client(producer, Duration.ofSeconds(30))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        producer.errorNext(new RecordTooLargeException("too big"));

        assertFailsWith(future, Reason.TOO_LARGE);
    }

    @Test
    void unacknowledgedSendFailsAsOutcomeUnknownOnceTheSendTimeoutPasses() {
        MockProducer<String, byte[]> producer = producer(false);

        CompletableFuture<SubmitReceipt> future = client(producer, Duration.ofMillis(500))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        assertFailsWith(future, Reason.OUTCOME_UNKNOWN);
    }

    @Test
    void closedClientRefusesSubmissions() {
        KafkaPromptqClient closed = client(producer(true), Duration.ofSeconds(5));
        closed.close();

        assertFailsWith(closed.submit(JobRequest.builder().tenant("acme").model("m").user("u").build()), Reason.FAILED);
    }

    @Test
    void resubmissionWithTheSameKeyNamesTheSameJobAndIsNotWrittenAgain() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        KafkaPromptqClient c = client(producer, Duration.ofSeconds(5));
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("same").build();

        SubmitReceipt first = c.submit(request).get(10, TimeUnit.SECONDS);
        SubmitReceipt second = c.submit(request.toBuilder().priority(5).attribute("retry", "1").build())
                .get(10, TimeUnit.SECONDS);

        assertThat(first.duplicate()).isFalse();
        assertThat(second).isEqualTo(first.asDuplicate());
        assertThat(second.jobId()).isEqualTo(first.jobId()).isNotBlank();
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aKeyedJobCarriesItsPayloadHashAndAnUnkeyedOneNone() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        KafkaPromptqClient c = client(producer, Duration.ofSeconds(5));

        c.submit(JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("k").build()).get(10, TimeUnit.SECONDS);
        c.submit(JobRequest.builder().tenant("acme").model("m").user("u").build()).get(10, TimeUnit.SECONDS);

        ProducerRecord<String, byte[]> keyed = producer.history().get(0);
        PromptJob job = jobs.valueDeserializer().deserialize(keyed.topic(), keyed.value());
        assertThat(JobHeaders.payloadHash(keyed.headers())).contains(PayloadHash.of(job));
        assertThat(keyed.headers().lastHeader(JobHeaders.PAYLOAD_HASH).value()).hasSize(32);
        assertThat(producer.history().get(1).headers().lastHeader(JobHeaders.PAYLOAD_HASH)).isNull();
    }

    @Test
    void theSameKeyWithAnotherPayloadIsRefusedAsAConflictAndNotWritten() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        KafkaPromptqClient c = client(producer, Duration.ofSeconds(5));
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("order-7").build();
        String jobId = c.submit(request).get(10, TimeUnit.SECONDS).jobId();

        CompletableFuture<SubmitReceipt> other = c.submit(request.toBuilder().maxTokens(99).build());

        assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(IdempotencyConflictException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.tenant()).isEqualTo("acme");
                    assertThat(e.idempotencyKey()).isEqualTo("order-7");
                    assertThat(e.jobId()).isEqualTo(jobId);
                    assertThat(e.getMessage()).contains("order-7", "acme", jobId);
                });
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void concurrentSubmitsOfOneKeyWaitForTheFirstsAcknowledgementAndShareItsReceipt() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        KafkaPromptqClient c = client(producer, Duration.ofSeconds(30));
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("race").build();

        CompletableFuture<SubmitReceipt> first = c.submit(request);
        List<CompletableFuture<SubmitReceipt>> others = List.of(c.submit(request), c.submit(request), c.submit(request));

        assertThat(producer.history()).hasSize(1);
        assertThat(others).noneMatch(CompletableFuture::isDone);
        producer.completeNext();
        SubmitReceipt receipt = first.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<SubmitReceipt> other : others) {
            assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo(receipt.asDuplicate());
        }
    }

    @Test
    void whenTheFirstWriteFailsItsWaitingDuplicatesFailTooAndTheKeyIsFree() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        KafkaPromptqClient c = client(producer, Duration.ofSeconds(30));
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("flaky").build();
        CompletableFuture<SubmitReceipt> first = c.submit(request);
        CompletableFuture<SubmitReceipt> waiting = c.submit(request);

        producer.errorNext(new NotEnoughReplicasException("isr too small"));

        assertFailsWith(first, Reason.UNAVAILABLE);
        assertFailsWith(waiting, Reason.UNAVAILABLE);
        CompletableFuture<SubmitReceipt> retry = c.submit(request);
        producer.completeNext();
        assertThat(retry.get(10, TimeUnit.SECONDS).duplicate()).isFalse();
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void aKeyTheLedgerHoldsIsAnsweredWithItsFirstCopyOrRefusedWithoutWriting() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        IdempotencyIndex index = new IdempotencyIndex(Duration.ofHours(24), 1_000, clock, jobs.name());
        client = new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), Duration.ofSeconds(5), clock, registry,
                KafkaPromptqClient.WARMUP_BACKOFF, index, null);
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("seen").build();
        String jobId = JobIds.derive("acme", "seen").toString();
        PromptJob firstCopy = PromptJobs.toAvro(request, jobId, NOW.minusSeconds(3600), ValidationRules.defaults());
        index.learn(UUID.fromString(jobId), PayloadHash.of(firstCopy), NOW.minusSeconds(3600).toEpochMilli(), 4, 1234);

        SubmitReceipt same = client.submit(request).get(10, TimeUnit.SECONDS);
        CompletableFuture<SubmitReceipt> other = client.submit(request.toBuilder().model("m2").build());

        assertThat(same).isEqualTo(new SubmitReceipt(jobId, "promptq.jobs", 4, 1234, true));
        assertThatThrownBy(() -> other.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(IdempotencyConflictException.class);
        assertThat(producer.history()).isEmpty();
    }

    @Test
    void schemaWarmUpRetriesWithJitteredBackoffUntilTheRegistryAnswers() throws Exception {
        List<Duration> waits = new CopyOnWriteArrayList<>();
        Backoff backoff = Backoff.exponential(Duration.ofMillis(250), Duration.ofMillis(600)).fullJitter()
                .random(() -> 0.5).sleeper(waits::add).build();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer(true), failingFirst(3), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), Duration.ofSeconds(30), clock, registry, backoff);

        SubmitReceipt receipt = client.submit(JobRequest.builder().tenant("acme").model("m").user("u").build())
                .get(30, TimeUnit.SECONDS);

        assertThat(receipt.topic()).isEqualTo(jobs.name());
        assertThat(client.schemaResolved()).isTrue();
        assertThat(waits).containsExactly(Duration.ofMillis(125), Duration.ofMillis(250), Duration.ofMillis(300));
    }

    @Test
    void aBoundedWarmUpThatGivesUpFailsSubmissionsWithTheRegistrysError() {
        Backoff twoTries = Backoff.fixed(Duration.ofMillis(1)).maxAttempts(2).build();
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer(true), failingFirst(Integer.MAX_VALUE), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), Duration.ofSeconds(30), clock, registry, twoTries);

        assertFailsWith(client.submit(JobRequest.builder().tenant("acme").model("m").user("u").build()), Reason.FAILED);
        assertThat(client.schemaResolved()).isFalse();
    }

    @Test
    void anAmbiguousSendOfAnUnkeyedJobIsRetriedWithOneGeneratedKeyAndNamesOneJob() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = retryingClient(producer, Duration.ofSeconds(30), 2)
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        awaitSends(producer, 1);
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired before the ack"));
        awaitSends(producer, 2);
        producer.completeNext();
        SubmitReceipt receipt = future.get(10, TimeUnit.SECONDS);

        ProducerRecord<String, byte[]> first = producer.history().get(0);
        ProducerRecord<String, byte[]> retry = producer.history().get(1);
        PromptJob job = jobs.valueDeserializer().deserialize(first.topic(), first.value());
        assertThat(job.getIdempotencyKey()).isNotBlank();
        assertThat(UUID.fromString(job.getIdempotencyKey()).version()).isEqualTo(4);
        assertThat(receipt.jobId()).isEqualTo(JobIds.derive("acme", job.getIdempotencyKey()).toString())
                .isEqualTo(job.getJobId()).isEqualTo(first.key()).isEqualTo(retry.key());
        assertThat(retry.value()).isEqualTo(first.value());
        assertThat(JobHeaders.payloadHash(retry.headers())).contains(PayloadHash.of(job));
        assertThat(receipt.duplicate()).isFalse();
    }

    @Test
    void anAmbiguousSendOfAKeyedJobIsRetriedWithTheCallersKey() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = retryingClient(producer, Duration.ofSeconds(30), 2)
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("order-9").build());

        awaitSends(producer, 1);
        producer.errorNext(new NotEnoughReplicasAfterAppendException("written to the leader only"));
        awaitSends(producer, 2);
        producer.completeNext();

        String jobId = JobIds.derive("acme", "order-9").toString();
        assertThat(future.get(10, TimeUnit.SECONDS).jobId()).isEqualTo(jobId);
        assertThat(producer.history()).extracting(ProducerRecord::key).containsExactly(jobId, jobId);
        assertThat(producer.history()).allSatisfy(record -> assertThat(
                jobs.valueDeserializer().deserialize(record.topic(), record.value()).getIdempotencyKey())
                .isEqualTo("order-9"));
    }

    @Test
    void anUnacknowledgedSendIsRetriedAfterItsSendTimeout() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = retryingClient(producer, Duration.ofMillis(500), 1)
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        awaitSends(producer, 2);
        producer.completeNext(); // the first try's late answer: that try already failed as outcome unknown
        producer.completeNext();

        assertThat(future.get(10, TimeUnit.SECONDS).jobId()).isEqualTo(producer.history().get(0).key());
    }

    @Test
    void retriesOfAnAmbiguousSendAreBoundedAndThenFailAsOutcomeUnknownNamingTheJob() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = retryingClient(producer, Duration.ofSeconds(30), 2)
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        for (int tries = 1; tries <= 3; tries++) {
            awaitSends(producer, tries);
            producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
        }

        assertFailsWith(future, Reason.OUTCOME_UNKNOWN);
        assertThatThrownBy(() -> future.get()).cause().isInstanceOfSatisfying(SubmitException.class,
                e -> assertThat(e.jobId()).isEqualTo(producer.history().get(0).key()));
        Thread.sleep(100);
        assertThat(producer.history()).hasSize(3);
    }

    @Test
    void closingWhileAnAmbiguousSendBacksOffStopsRetryingAndStillReportsOutcomeUnknown() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), Duration.ofSeconds(30), clock, registry,
                KafkaPromptqClient.WARMUP_BACKOFF, new IdempotencyIndex(Duration.ofHours(24), 1_000, clock, jobs.name()),
                null, 2, Backoff.fixed(Duration.ofMillis(500)).build());
        CompletableFuture<SubmitReceipt> future = client.submit(JobRequest.builder().tenant("acme").model("m").user("u")
                .build());

        awaitSends(producer, 1);
        producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("expired"));
        client.close();

        assertFailsWith(future, Reason.OUTCOME_UNKNOWN);
        assertThat(producer.history()).hasSize(1);
    }

    @Test
    void aDefiniteFailureIsNotRetried() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = retryingClient(producer, Duration.ofSeconds(30), 2)
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());

        awaitSends(producer, 1);
        producer.errorNext(new NotEnoughReplicasException("isr too small"));

        assertFailsWith(future, Reason.UNAVAILABLE);
        Thread.sleep(100);
        assertThat(producer.history()).hasSize(1);
    }

    // ------------------------------------------------------------------ QUEUED states

    @Test
    void everyNewJobIsFollowedByOneQueuedStateButAResubmissionAnsweredFromTheIndexWritesNone() throws Exception {
        MockProducer<String, byte[]> producer = producer(true);
        KafkaPromptqClient c = statesClient(producer, Duration.ofSeconds(5));
        JobRequest keyed = JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("q-1").build();

        SubmitReceipt first = c.submit(keyed).get(10, TimeUnit.SECONDS);
        c.submit(keyed).get(10, TimeUnit.SECONDS);
        SubmitReceipt unkeyed = c.submit(JobRequest.builder().tenant("acme").model("m").user("v").build())
                .get(10, TimeUnit.SECONDS);

        assertThat(producer.history()).extracting(ProducerRecord::topic)
                .containsExactly("promptq.jobs", "promptq.jobs.status", "promptq.jobs", "promptq.jobs.status");
        ProducerRecord<String, byte[]> record = producer.history().get(1);
        assertThat(record.key()).isEqualTo(first.jobId());
        assertThat(record.timestamp()).isEqualTo(NOW.toEpochMilli());
        JobStateChange queued = status.valueDeserializer().deserialize(record.topic(), record.value());
        assertThat(queued).isEqualTo(JobStateChange.newBuilder().setJobId(first.jobId()).setTenant("acme")
                .setState(JobState.QUEUED).setAt(Instant.ofEpochMilli(NOW.toEpochMilli())).setAttempt(0).build());
        assertThat(producer.history().get(3).key()).isEqualTo(unkeyed.jobId());
        assertThat(statesNotWritten()).isZero();
    }

    @Test
    void theSubmissionCompletesOnceTheJobAndItsQueuedStateAreAcknowledged() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = statesClient(producer, Duration.ofSeconds(30))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").idempotencyKey("q-2").build());
        awaitSends(producer, 2);

        assertThat(producer.completeNext()).isTrue();
        Thread.sleep(50);
        assertThat(future).isNotDone();
        assertThat(producer.completeNext()).isTrue();

        assertThat(future.get(10, TimeUnit.SECONDS).jobId()).isEqualTo(JobIds.derive("acme", "q-2").toString());
    }

    @Test
    void aFailedQueuedStateDoesNotFailTheAcceptedJobAndIsCounted() throws Exception {
        MockProducer<String, byte[]> producer = producer(false);
        CompletableFuture<SubmitReceipt> future = statesClient(producer, Duration.ofSeconds(30))
                .submit(JobRequest.builder().tenant("acme").model("m").user("u").build());
        awaitSends(producer, 2);

        producer.completeNext();
        producer.errorNext(new NotEnoughReplicasException("isr too small"));

        assertThat(future.get(10, TimeUnit.SECONDS).offset()).isZero();
        assertThat(statesNotWritten()).isEqualTo(1);
    }

    @Test
    void aJobRefusedAtOnceGetsNoQueuedState() {
        MockProducer<String, byte[]> producer = producer(true);
        KafkaPromptqClient c = statesClient(producer, Duration.ofSeconds(5));
        producer.sendException = new RecordTooLargeException("too big");

        assertFailsWith(c.submit(JobRequest.builder().tenant("acme").model("m").user("u").build()), Reason.TOO_LARGE);
        assertThat(producer.history()).isEmpty();
        assertThat(statesNotWritten()).isZero();
    }

    private final Topic<String, JobStateChange> status = Topics.create(TopicNames.defaults(), registry, true).status();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private KafkaPromptqClient statesClient(MockProducer<String, byte[]> producer, Duration sendTimeout) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), sendTimeout, clock, registry,
                KafkaPromptqClient.WARMUP_BACKOFF,
                new IdempotencyIndex(Duration.ofHours(24), 1_000, clock, jobs.name()), null, 0,
                KafkaPromptqClient.RETRY_BACKOFF, null, io.promptq.client.JobIdKey.none(), new QueuedStates(status.valueSerializer(), status.name(), () -> true));
        client.metrics().bindTo(meters);
        return client;
    }

    private double statesNotWritten() {
        return meters.get(ClientMetrics.STATES_NOT_WRITTEN).functionCounter().count();
    }

    private KafkaPromptqClient retryingClient(MockProducer<String, byte[]> producer, Duration sendTimeout, int retries) {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        client = new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                JobValidator.of(ValidationRules.defaults(), clock), sendTimeout, clock, registry,
                KafkaPromptqClient.WARMUP_BACKOFF,
                new IdempotencyIndex(Duration.ofHours(24), 1_000, clock, jobs.name()), null, retries,
                Backoff.fixed(Duration.ofMillis(10)).build());
        return client;
    }

    private static void awaitSends(MockProducer<String, byte[]> producer, int sends) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (producer.history().size() < sends) {
            assertThat(System.nanoTime()).as("waiting for send %d", sends).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /** The jobs serializer, failing its first {@code failures} calls as a serializer does while the registry is down. */
    private Serializer<PromptJob> failingFirst(int failures) {
        AtomicInteger calls = new AtomicInteger();
        Serializer<PromptJob> real = jobs.valueSerializer();
        return (topic, job) -> {
            if (calls.incrementAndGet() <= failures) {
                throw new SerializationException("registry down");
            }
            return real.serialize(topic, job);
        };
    }

    private static void assertFailsWith(CompletableFuture<SubmitReceipt> future, Reason reason) {
        assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(SubmitException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.retriable()).isEqualTo(reason == Reason.UNAVAILABLE);
                });
    }
}
