package io.promptq.client.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.promptq.client.ClientConfig;
import io.promptq.client.ClientMetrics;
import io.promptq.client.IdempotencyConflictException;
import io.promptq.client.InvalidJobException;
import io.promptq.client.JobIdKey;
import io.promptq.client.JobIds;
import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitException;
import io.promptq.client.SubmitException.Reason;
import io.promptq.client.SubmitReceipt;
import io.promptq.client.ValidationRules;
import io.promptq.client.Violation;
import io.promptq.lifecycle.Closeables;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.retry.Backoff;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.JobCancellation;
import io.promptq.schema.PromptJob;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka-backed {@link PromptqClient}.
 *
 * <p>Values are serialized before {@code send} with the registry-backed Avro serializer of the jobs
 * {@link Topic}, so the registry lookup is under this class's control: a background task resolves the
 * schema id once (retrying while the registry is unreachable) and submissions wait for it at most for
 * their remaining time budget, after which every serialization is local. Every failure is classified
 * here, once, into a {@link SubmitException.Reason}; nothing is logged per submission.
 *
 * <p>Keyed jobs (with an idempotency key) are checked against an {@link IdempotencyIndex} before they are written:
 * a resubmission with the same payload hash is answered with the first copy's receipt (marked duplicate) and not
 * written; one with another hash fails with {@link IdempotencyConflictException}; an unknown key is written with its
 * hash in the {@link JobHeaders#PAYLOAD_HASH} header. The index is fed by this client's own submissions and by a
 * {@link LedgerReader} of the idempotency ledger; keyed submissions wait (within their time budget) until the
 * reader has caught up with the ledger once.
 *
 * <p><b>Ambiguous sends.</b> A send whose outcome is unknown ({@link Reason#OUTCOME_UNKNOWN}: the record may have been
 * written) is sent again, the same record, up to {@code outcomeUnknownRetries} times with {@link #RETRY_BACKOFF}
 * between tries, each try with a fresh send timeout. So that a retry never makes a second job, a job submitted without
 * an idempotency key gets one generated (a random UUID) before its first try: its id is then derived from it like any
 * keyed job's, and the workers run only the first copy of it. Generated keys skip the idempotency index (nobody can
 * resubmit them) and so never wait for the ledger.
 *
 * <p><b>Job states.</b> Created with {@link #create}, the client also writes a QUEUED {@code JobStateChange} to the
 * status topic for every job it writes (not for a resubmission answered from the idempotency index), in the same
 * producer flow as the job; a QUEUED change that cannot be written never fails the submission ({@link QueuedStates}).
 */
public final class KafkaPromptqClient implements PromptqClient {

    private static final Logger log = LoggerFactory.getLogger(KafkaPromptqClient.class);
    /** Retries run on virtual threads: {@code send} may block while metadata is fetched or the buffer is full. */
    private static final Executor RETRY_THREADS = task -> Thread.ofVirtual().name("promptq-client-retry").start(task);
    /**
     * Waits between tries to resolve the jobs schema: 250 ms doubling up to 10 s, full jitter. No budget of its
     * own, by design (submissions need the schema, so a client that stopped trying would fail them for good once
     * the registry is back): bounded by the client's lifetime, the warm-up ends when the schema resolves or
     * {@link #close()} interrupts it.
     */
    public static final Backoff WARMUP_BACKOFF = Backoff.exponential(Duration.ofMillis(250), Duration.ofSeconds(10))
            .fullJitter().build();
    /** Waits between tries of a send whose outcome is unknown: 200 ms doubling up to 2 s, full jitter. */
    public static final Backoff RETRY_BACKOFF = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(2))
            .fullJitter().build();

    private final Producer<String, byte[]> producer;
    private final Serializer<PromptJob> valueSerializer;
    private final String topic;
    private final JobValidator validator;
    private final Duration sendTimeout;
    private final Clock clock;
    private final AutoCloseable resources;
    private final CompletableFuture<Void> schemaResolved = new CompletableFuture<>();
    private final Backoff warmupBackoff;
    private final Thread warmup;
    private final IdempotencyIndex index;
    private final @Nullable LedgerReader ledger;
    private final int outcomeUnknownRetries;
    private final Backoff retryBackoff;
    private final JobIdKey jobIdKey;
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final @Nullable Serializer<JobCancellation> cancellationSerializer;
    private final String cancellationsTopic;
    private final @Nullable QueuedStates states;
    private volatile Throwable lastSchemaFailure;
    private volatile boolean closed;

    /**
     * A client over the given producer (tests pass a {@code MockProducer}).
     *
     * @param valueSerializer serializer of the jobs topic's values
     * @param resources closed after the producer, e.g. the registry client
     */
    public KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources) {
        this(producer, valueSerializer, topic, validator, sendTimeout, clock, resources, WARMUP_BACKOFF);
    }

    /**
     * As the other constructor, resolving the schema with {@code warmupBackoff} between tries; keyed jobs are
     * deduplicated against this client's own submissions only (default window and size, no ledger).
     */
    public KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources, Backoff warmupBackoff) {
        this(producer, valueSerializer, topic, validator, sendTimeout, clock, resources, warmupBackoff,
                new IdempotencyIndex(Idempotency.DEFAULT_WINDOW, ClientConfig.DEFAULT_IDEMPOTENCY_MAX_KEYS, clock, topic),
                null);
    }

    /** As the full constructor, never retrying a send whose outcome is unknown (and generating no keys). */
    public KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources, Backoff warmupBackoff,
            IdempotencyIndex index, @Nullable LedgerReader ledger) {
        this(producer, valueSerializer, topic, validator, sendTimeout, clock, resources, warmupBackoff, index, ledger,
                0, RETRY_BACKOFF);
    }

    /** As the full constructor, without cancellations ({@link #cancel} then fails), naming keyed jobs without a secret (guessable version 5 ids, for local use). */
    public KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources, Backoff warmupBackoff,
            IdempotencyIndex index, @Nullable LedgerReader ledger, int outcomeUnknownRetries, Backoff retryBackoff) {
        this(producer, valueSerializer, topic, validator, sendTimeout, clock, resources, warmupBackoff, index, ledger,
                outcomeUnknownRetries, retryBackoff, null, JobIdKey.none());
    }

    /**
     * The full constructor.
     *
     * @param jobIdKey the secret keyed job ids are derived with ({@link JobIds#of(JobIdKey, String, String)})
     * @param index what is known about keyed jobs
     * @param ledger the reader feeding {@code index} from the idempotency ledger, started by this constructor and
     *     closed by {@link #close()}; null: none (keyed submissions then do not wait for it)
     * @param outcomeUnknownRetries how often a send whose outcome is unknown is tried again (0: never; then jobs
     *     without an idempotency key are sent unkeyed)
     * @param retryBackoff the waits between those tries ({@link Backoff#delay(int)} of the failures so far)
     * @param cancellationSerializer serializer of the cancellations topic's values; null: {@link #cancel} fails
     */
    public KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources, Backoff warmupBackoff,
            IdempotencyIndex index, @Nullable LedgerReader ledger, int outcomeUnknownRetries, Backoff retryBackoff,
            @Nullable Serializer<JobCancellation> cancellationSerializer,
            JobIdKey jobIdKey) {
        this(producer, valueSerializer, topic, validator, sendTimeout, clock, resources, warmupBackoff, index, ledger,
                outcomeUnknownRetries, retryBackoff, cancellationSerializer, jobIdKey, null);
    }

    /**
     * As the other full constructor, writing a QUEUED state change for every newly accepted job with {@code states}
     * (null: none).
     */
    KafkaPromptqClient(Producer<String, byte[]> producer, Serializer<PromptJob> valueSerializer, String topic,
            JobValidator validator, Duration sendTimeout, Clock clock, AutoCloseable resources, Backoff warmupBackoff,
            IdempotencyIndex index, @Nullable LedgerReader ledger, int outcomeUnknownRetries, Backoff retryBackoff,
            @Nullable Serializer<JobCancellation> cancellationSerializer, JobIdKey jobIdKey,
            @Nullable QueuedStates states) {
        this.states = states;
        this.cancellationSerializer = cancellationSerializer;
        this.cancellationsTopic = topic + TopicNames.CANCELLATIONS_SUFFIX;
        if (outcomeUnknownRetries < 0) {
            throw new IllegalArgumentException("outcomeUnknownRetries must not be negative, but was "
                    + outcomeUnknownRetries);
        }
        this.outcomeUnknownRetries = outcomeUnknownRetries;
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
        this.jobIdKey = Objects.requireNonNull(jobIdKey, "jobIdKey");
        this.index = Objects.requireNonNull(index, "index");
        this.ledger = ledger;
        this.warmupBackoff = Objects.requireNonNull(warmupBackoff, "warmupBackoff");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.sendTimeout = Objects.requireNonNull(sendTimeout, "sendTimeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.resources = Objects.requireNonNull(resources, "resources");
        this.warmup = Thread.ofVirtual().name("promptq-client-schema-" + topic).start(this::resolveSchema);
        if (ledger != null) {
            ledger.start();
        }
    }

    /**
     * A client with its own producer, idempotency-ledger reader and registry client, all closed by {@link #close()}.
     */
    public static KafkaPromptqClient create(ClientConfig config) {
        SchemaRegistryClient registry = SchemaRegistryClient.create(config.registry());
        KafkaProducer<String, byte[]> producer = null;
        try {
            Topics topics = Topics.create(config.topics(), registry, config.registry().autoRegister());
            Topic<String, PromptJob> jobs = topics.jobs();
            producer = new KafkaProducer<>(
                    ProducerProperties.of(config.kafka(), config.clientId(), config.sendTimeout()),
                    new StringSerializer(), new ByteArraySerializer());
            Clock clock = Clock.systemUTC();
            IdempotencyIndex index = new IdempotencyIndex(config.idempotencyWindow(), config.idempotencyMaxKeys(), clock,
                    jobs.name());
            Topic<String, IdempotencyEntry> ledgerTopic = topics.idempotency();
            LedgerReader ledger = new LedgerReader(
                    new KafkaConsumer<>(ledgerConsumerProperties(config), new StringDeserializer(),
                            new ByteArrayDeserializer()),
                    ledgerTopic.valueDeserializer(), ledgerTopic.name(), index, LedgerReader.DEFAULT_REDISCOVERY);
            KafkaProducer<String, byte[]> statesProducer = producer;
            String statusTopic = topics.status().name();
            QueuedStates states = config.publishStates() ? new QueuedStates(topics.status().valueSerializer(),
                    statusTopic, () -> !statesProducer.partitionsFor(statusTopic).isEmpty()) : null;
            return new KafkaPromptqClient(producer, jobs.valueSerializer(), jobs.name(),
                    JobValidator.of(config.rules()), config.sendTimeout(), clock, registry, WARMUP_BACKOFF, index, ledger,
                    config.outcomeUnknownRetries(), RETRY_BACKOFF, topics.cancellations().valueSerializer(),
                    config.jobIdKey(), states);
        } catch (RuntimeException e) {
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            registry.close();
            throw e;
        }
    }

    /**
     * The ledger reader's consumer: promptq's consumer settings (read_committed) and overrides, without a group (it
     * assigns every partition and commits nothing) and never creating the ledger (the workers or the producer
     * service create it with its compaction and retention).
     */
    static Map<String, Object> ledgerConsumerProperties(ClientConfig config) {
        Map<String, Object> props = config.kafka().consumerConfig("unused", config.clientId() + "-idempotency-ledger",
                Map.of(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    @Override
    public CompletableFuture<SubmitReceipt> submit(JobRequest request) {
        long started = System.nanoTime();
        if (closed) {
            return CompletableFuture.failedFuture(new SubmitException(Reason.FAILED, "the client is closed", null));
        }
        List<Violation> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            return CompletableFuture.failedFuture(new InvalidJobException(violations));
        }
        boolean generatedKey = request.idempotencyKey() == null && outcomeUnknownRetries > 0;
        if (generatedKey) {
            // once per submission, before the first try: every retry then carries the same key and job id
            request = request.toBuilder().idempotencyKey(UUID.randomUUID().toString()).build();
        }
        Instant now = clock.instant();
        String jobId = JobIds.of(jobIdKey, request.tenant(), request.idempotencyKey());
        ValidationRules rules = validator.rules();
        PromptJob job = PromptJobs.toAvro(request, jobId, now, rules);
        byte[] value;
        try {
            awaitSchema(started, jobId);
            value = valueSerializer.serialize(topic, job);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(classify(e, jobId));
        }
        long timestamp = job.getSubmittedAt().toEpochMilli();
        String key = request.idempotencyKey();
        if (key == null) {
            return send(new ProducerRecord<>(topic, null, timestamp, jobId, value), job, started);
        }
        PayloadHash hash = PayloadHash.of(job);
        if (generatedKey) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(JobHeaders.PAYLOAD_HASH, hash.toBytes());
            return send(new ProducerRecord<>(topic, null, timestamp, jobId, value, headers), job, started);
        }
        try {
            awaitLedger(started, jobId);
        } catch (SubmitException e) {
            return CompletableFuture.failedFuture(e);
        }
        return switch (index.claim(UUID.fromString(jobId), hash, timestamp)) {
            case IdempotencyIndex.Conflict conflict -> {
                conflicts.increment();
                yield CompletableFuture.failedFuture(new IdempotencyConflictException(request.tenant(), key, jobId));
            }
            case IdempotencyIndex.Duplicate duplicate -> {
                duplicates.increment();
                yield duplicate.receipt();
            }
            case IdempotencyIndex.Write write -> {
                RecordHeaders headers = new RecordHeaders();
                headers.add(JobHeaders.PAYLOAD_HASH, hash.toBytes());
                yield send(new ProducerRecord<>(topic, null, timestamp, jobId, value, headers), job, started)
                        .whenComplete((receipt, error) -> {
                            if (error == null) {
                                index.written(write.pending(), receipt);
                            } else {
                                index.notWritten(write.pending(), classify(error, jobId));
                            }
                        });
            }
        };
    }

    /**
     * Sends {@code record}, the record of {@code job}, and again (the same record) while its outcome is unknown, at
     * most {@code outcomeUnknownRetries} more times; the first try completes within the send timeout counted from
     * {@code started}, each retry within a send timeout of its own.
     *
     * <p>Right behind the first try, unless {@code send} refused it at once, the job's QUEUED state change is sent
     * with the same producer (so it rides in the same batches: no flush, no extra round trip); the submission then
     * completes once the job is acknowledged and the QUEUED change acknowledged or failed. A QUEUED change is sent
     * once, however often the job record is retried, and may remain when the job record then fails after all (the
     * caller was told; a retry with the same idempotency key names the same job, whose repeated QUEUED readers drop).
     */
    private CompletableFuture<SubmitReceipt> send(ProducerRecord<String, byte[]> record, PromptJob job, long started) {
        String jobId = job.getJobId();
        CompletableFuture<SubmitReceipt> first = sendOnce(record, jobId, started);
        CompletableFuture<Void> queued = first.isCompletedExceptionally() ? null : sendQueued(job, started);
        CompletableFuture<SubmitReceipt> accepted = outcomeUnknownRetries == 0 ? first
                : retryUnknown(first, record, jobId, 0);
        return queued == null || queued.isDone() ? accepted : accepted.thenCombine(queued, (receipt, none) -> receipt);
    }

    /**
     * Sends the QUEUED state change of {@code job}; the future completes normally when it is acknowledged or has
     * failed (then counted and warned about), or at once if the status topic is not usable.
     */
    private @Nullable CompletableFuture<Void> sendQueued(PromptJob job, long started) {
        QueuedStates s = states;
        if (s == null) {
            return null;
        }
        String jobId = job.getJobId();
        if (!s.ready() && !s.awaitFirstCheck(sendTimeout.toNanos() - (System.nanoTime() - started))) {
            s.notWritten(jobId, "the status topic is not available yet");
            return null;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            producer.send(s.record(job), (metadata, error) -> {
                if (error != null) {
                    s.notWritten(jobId, error.toString());
                }
                done.complete(null);
            });
        } catch (RuntimeException e) {
            s.notWritten(jobId, e.toString());
            done.complete(null);
        }
        return done;
    }

    private CompletableFuture<SubmitReceipt> retryUnknown(CompletableFuture<SubmitReceipt> attempt,
            ProducerRecord<String, byte[]> record, String jobId, int failures) {
        return attempt.exceptionallyCompose(error -> {
            SubmitException classified = classify(error, jobId);
            if (classified.reason() != Reason.OUTCOME_UNKNOWN || failures >= outcomeUnknownRetries || closed) {
                return CompletableFuture.failedFuture(classified);
            }
            Duration wait = retryBackoff.delay(failures + 1);
            Executor later = CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS, RETRY_THREADS);
            // closed while backing off: the job may still exist, so the answer stays OUTCOME_UNKNOWN
            return CompletableFuture.supplyAsync(() -> closed ? CompletableFuture.<SubmitReceipt>failedFuture(classified)
                    : sendOnce(record, jobId, System.nanoTime()), later)
                    .thenCompose(next -> retryUnknown(next, record, jobId, failures + 1));
        });
    }

    /** Sends {@code record} once; the future completes within the send timeout counted from {@code started}. */
    private CompletableFuture<SubmitReceipt> sendOnce(ProducerRecord<String, byte[]> record, String jobId,
            long started) {
        CompletableFuture<SubmitReceipt> acked = new CompletableFuture<>();
        Thread caller = Thread.currentThread();
        AtomicBoolean handedOff = new AtomicBoolean();
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    acked.complete(new SubmitReceipt(jobId, metadata.topic(), metadata.partition(), metadata.offset()));
                } else if (!handedOff.get() && Thread.currentThread() == caller) {
                    // reported from inside send (metadata not available, buffer full): the record never left
                    acked.completeExceptionally(classify(error, jobId));
                } else {
                    acked.completeExceptionally(classifySent(error, jobId));
                }
            });
            handedOff.set(true);
        } catch (RuntimeException e) {
            acked.completeExceptionally(classify(e, jobId));
        }
        if (acked.isDone()) {
            return acked;
        }
        long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
        return acked.orTimeout(Math.max(remaining, 1), TimeUnit.NANOSECONDS)
                .handle((receipt, error) -> {
                    if (error == null) {
                        return receipt;
                    }
                    throw classifySent(error, jobId);
                });
    }

    @Override
    public CompletableFuture<Void> cancel(String tenant, String jobId, @Nullable String reason) {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(jobId, "jobId");
        if (closed) {
            return CompletableFuture.failedFuture(new SubmitException(Reason.FAILED, "the client is closed", null, jobId));
        }
        if (cancellationSerializer == null) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException(
                    "this client was built without a serializer of " + cancellationsTopic));
        }
        JobCancellation request = JobCancellation.newBuilder().setJobId(jobId).setTenant(tenant)
                .setRequestedAt(clock.instant()).setReason(reason).build();
        byte[] value;
        try {
            value = cancellationSerializer.serialize(cancellationsTopic, request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(classify(e, jobId));
        }
        return sendOnce(new ProducerRecord<>(cancellationsTopic, jobId, value), jobId, System.nanoTime())
                .thenApply(receipt -> null);
    }

    @Override
    public JobValidator validator() {
        return validator;
    }

    @Override
    public String jobsTopic() {
        return topic;
    }

    @Override
    public Duration sendTimeout() {
        return sendTimeout;
    }

    @Override
    public KafkaClientMetrics kafkaClientMetrics() {
        return new KafkaClientMetrics(producer);
    }

    @Override
    public MeterBinder metrics() {
        return registry -> {
            FunctionCounter.builder(ClientMetrics.IDEMPOTENCY_DUPLICATES, duplicates, LongAdder::sum)
                    .description("Keyed submissions answered with an earlier copy of the same job instead of being written")
                    .register(registry);
            FunctionCounter.builder(ClientMetrics.IDEMPOTENCY_CONFLICTS, conflicts, LongAdder::sum)
                    .description("Keyed submissions refused: the key names a job with another payload")
                    .register(registry);
            if (states != null) {
                FunctionCounter.builder(ClientMetrics.STATES_NOT_WRITTEN, states, QueuedStates::failures)
                        .description("QUEUED state changes of accepted jobs not written to the status topic")
                        .register(registry);
            }
            Gauge.builder(ClientMetrics.IDEMPOTENCY_KEYS, index, IdempotencyIndex::size)
                    .description("Keyed jobs the idempotency index holds")
                    .register(registry);
        };
    }

    /** Whether the idempotency ledger has been read up to its end once (always true without a ledger reader). */
    public boolean ledgerCaughtUp() {
        return ledger == null || ledger.caughtUp().isDone();
    }

    /** Whether the jobs topic's schema id has been resolved with the registry (submissions need no registry I/O). */
    public boolean schemaResolved() {
        return schemaResolved.isDone() && !schemaResolved.isCompletedExceptionally();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        warmup.interrupt();
        if (ledger != null) {
            Closeables.closeQuietly(ledger,
                    (resource, e) -> log.warn("Closing the idempotency ledger reader failed: {}", e.toString()));
        }
        Closeables.closeQuietly(() -> producer.close(sendTimeout),
                (resource, e) -> log.warn("Closing the Kafka producer of topic {} failed: {}", topic, e.toString()));
        Closeables.closeQuietly(() -> {
            valueSerializer.close();
            if (states != null) {
                states.close();
            }
            resources.close();
        }, (resource, e) -> log.warn("Closing the schema registry client failed: {}", e.toString()));
    }

    /**
     * Resolves the jobs schema's id with the registry, retrying with {@link #WARMUP_BACKOFF} until it succeeds, the
     * client closes, or (with a bounded backoff only) the budget is spent: submissions then fail with the last error.
     */
    private void resolveSchema() {
        PromptJob sample = PromptJobs.toAvro(JobRequest.builder().tenant("warmup").model("warmup").user("warmup")
                .build(), "00000000-0000-0000-0000-000000000000", Instant.EPOCH, validator.rules());
        Backoff.Attempts attempts = warmupBackoff.start();
        while (!closed) {
            try {
                valueSerializer.serialize(topic, sample);
                schemaResolved.complete(null);
                checkStates();
                return;
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                lastSchemaFailure = e;
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.error("Giving up resolving the schema of topic {} after {} tries: {}", topic,
                            attempts.failures(), e.toString());
                    schemaResolved.completeExceptionally(e);
                    return;
                }
                log.warn("Cannot resolve the schema of topic {} with the registry yet (retrying in {} ms): {}",
                        topic, wait.get().toMillis(), e.toString());
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * Checks, until it succeeds or the client closes, that QUEUED state changes can be written (the status topic
     * exists and its schema resolves), with {@link #warmupBackoff} between tries; submissions skip them meanwhile.
     */
    private void checkStates() {
        if (states == null) {
            return;
        }
        Backoff.Attempts attempts = warmupBackoff.start();
        while (!closed) {
            try {
                if (states.check()) {
                    return;
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    log.error("Giving up on the status topic {}: QUEUED states are not written: {}", states.topic(),
                            e.toString());
                    return;
                }
                log.warn("Cannot write QUEUED states to {} yet (retrying in {} ms): {}", states.topic(),
                        wait.get().toMillis(), e.toString());
                try {
                    attempts.sleep(wait.get());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void awaitSchema(long started, String jobId) {
        if (schemaResolved.isDone()) {
            return;
        }
        long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
        try {
            schemaResolved.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            Throwable last = lastSchemaFailure;
            Reason reason = last == null || last instanceof RegistryUnreachableException ? Reason.UNAVAILABLE
                    : Reason.FAILED;
            throw new SubmitException(reason, "job " + jobId + " not published: the schema of topic " + topic
                    + " is not resolved with the registry" + (last == null ? "" : " (" + last.getMessage() + ")"),
                    last);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubmitException(Reason.FAILED, "interrupted while waiting for the schema registry", e);
        } catch (ExecutionException e) {
            throw new SubmitException(Reason.FAILED, "schema resolution failed", e.getCause());
        }
    }

    /**
     * Waits, within the submission's time budget, until the ledger reader has read the ledger up to its end once;
     * a keyed job written before that could duplicate one the ledger already holds.
     */
    private void awaitLedger(long started, String jobId) {
        if (ledger == null || ledger.caughtUp().isDone()) {
            return;
        }
        long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
        try {
            ledger.caughtUp().get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new SubmitException(Reason.UNAVAILABLE, "job " + jobId + " not published: the idempotency ledger "
                    + "is not read yet, so a resubmission cannot be told from a new job", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SubmitException(Reason.FAILED, "interrupted while waiting for the idempotency ledger", e);
        } catch (ExecutionException e) {
            throw new SubmitException(Reason.FAILED, "reading the idempotency ledger failed", e.getCause());
        }
    }

    /**
     * How a failure reported after {@code send} accepted the record is reported: one that leaves open whether the
     * record was written (a timeout, {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND}, a disconnect in flight) is
     * {@link Reason#OUTCOME_UNKNOWN} naming the job; the rest as {@link #classify}. Failures thrown by {@code send}
     * itself (serialization, buffer full, metadata not available) never reach here: nothing left then.
     */
    static SubmitException classifySent(Throwable error, String jobId) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TimeoutException || e instanceof org.apache.kafka.common.errors.TimeoutException
                || e instanceof NotEnoughReplicasAfterAppendException || e instanceof NetworkException) {
            return new SubmitException(Reason.OUTCOME_UNKNOWN, "job " + jobId + " may or may not have been written ("
                    + e.getMessage() + "); retry with the same idempotency key", e, jobId);
        }
        return classify(e, jobId);
    }

    /** The one place that decides how a failure is reported to callers. */
    static SubmitException classify(Throwable error, String jobId) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof SubmitException submit) {
            return submit;
        }
        String prefix = "job " + jobId + " not published: ";
        if (e instanceof TimeoutException) {
            return new SubmitException(Reason.UNAVAILABLE, prefix + "not acknowledged within the send timeout", e);
        }
        if (e instanceof RecordTooLargeException) {
            return new SubmitException(Reason.TOO_LARGE, prefix + e.getMessage(), e);
        }
        if (e instanceof RetriableException || e instanceof RegistryUnreachableException
                || e instanceof InterruptException) {
            return new SubmitException(Reason.UNAVAILABLE, prefix + e.getMessage(), e);
        }
        if (e instanceof KafkaException || e instanceof IllegalStateException) {
            return new SubmitException(Reason.FAILED, prefix + e.getMessage(), e);
        }
        return new SubmitException(Reason.FAILED, prefix + e, e);
    }
}
