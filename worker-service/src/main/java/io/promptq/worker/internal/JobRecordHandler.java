package io.promptq.worker.internal;

import io.promptq.client.JobValidator;
import io.promptq.client.Violation;
import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
import io.promptq.registry.SchemaRegistryException;
import io.promptq.registry.UnknownMagicByteException;
import io.promptq.registry.UnknownSchemaIdException;
import io.promptq.retry.Backoff;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.topic.Topic;
import io.promptq.topic.Topics;
import io.promptq.worker.kafka.JobContext;
import io.promptq.worker.kafka.JobOutput;
import io.promptq.worker.kafka.RecordHandler;
import io.promptq.worker.kafka.WorkerHeaders;
import io.promptq.worker.cancel.Cancellations;
import io.promptq.worker.metrics.OutcomeMetrics;
import io.promptq.worker.processing.CancelRequest;
import io.promptq.worker.processing.Coordinates;
import io.promptq.worker.processing.DeadLetterReason;
import io.promptq.worker.processing.JobDelivery;
import io.promptq.worker.processing.JobProcessor;
import io.promptq.worker.processing.Outcome;
import io.promptq.worker.processing.OutcomeRecords;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one record of the jobs topic or a retry tier: decodes it, runs the {@link JobProcessor} and returns the
 * outcome records, serialized, as the record's {@link JobOutput}; the poll loop writes them with the offset.
 *
 * <ul>
 *   <li>A record that cannot be decoded (no value, garbage bytes, unknown schema id) goes to the dead-letter
 *       topic with its raw key and value and the reason; an unreachable registry is not the record's fault and
 *       is waited out instead ({@link #DECODE_BACKOFF}: no budget of its own, the loop ends when the registry
 *       answers or the job is abandoned). Serializing the outcome waits out the registry the same way
 *       ({@link #SERIALIZE_BACKOFF}): a paid-for outcome is not dropped for an operator-fixable problem.</li>
 *   <li>Succeeded and expired jobs: a {@link JobResult}. A scheduled retry: a {@link RetryJob} on its tier with
 *       the {@value WorkerHeaders#DUE_AT} header, and - if the delivery spent an attempt and states are on - the
 *       job's RETRYING state on the status topic ({@link JobStates}), so both are written together. A dead-lettered job: a {@link DeadLetter} <em>and</em> a
 *       {@code DEAD_LETTERED} result, in one output.</li>
 *   <li>An outcome too large for the producer ({@code max.request.size}) is dead-lettered instead
 *       ({@link DeadLetterReason#PUBLISH_FAILED}), and a dead letter too large without the job's body; the same
 *       chain is the output's fallback, used if the broker refuses a record (a topic's {@code max.message.bytes}
 *       below the producer's limit).</li>
 *   <li>A job breaking the client's job id rule ({@link JobValidator#validateJobId}: empty, over-long - written
 *       by a foreign producer) is dead-lettered as {@link DeadLetterReason#INVALID_JOB} without calling the
 *       provider.</li>
 *   <li>A record started {@code maxCrashStarts} times before without an outcome is dead-lettered as
 *       {@link DeadLetterReason#CRASH_LOOP} without calling the provider.</li>
 *   <li>Once an outcome exists the provider is never called again for the delivery: an outcome whose records
 *       cannot be built (a bug, a foreign record whose timestamps overflow) is dead-lettered
 *       {@link DeadLetterReason#INTERNAL_ERROR} with the exception's text, and so is a job whose processing
 *       threw - only the registry's trouble is waited out.</li>
 *   <li>A job whose tenant asked to cancel it ({@link Cancellations}) gets a {@code CANCELLED} result: without a
 *       provider call if the request is known when the record starts (from the jobs topic, or a retry tier once the
 *       retry is due), or with its running call aborted if the request arrives while it runs. Never retried or
 *       dead-lettered after that; an answer already in keeps its outcome.</li>
 *   <li>An abandoned job (its partition was revoked) returns nothing: it will be redelivered.</li>
 * </ul>
 */
public final class JobRecordHandler implements RecordHandler {

    private static final Logger log = LoggerFactory.getLogger(JobRecordHandler.class);
    /**
     * Waits while the registry cannot decode a record: 200 ms doubling up to 10 s, full jitter. No attempt or
     * time budget, by design (dead-lettering good records for the registry's trouble is worse): the loop is
     * bounded by the job's lifetime and ends with a {@link CancellationException} once the job is abandoned.
     */
    static final Backoff DECODE_BACKOFF = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10))
            .fullJitter().build();
    /** Waits while an outcome cannot be serialized (registry down): 100 ms doubling up to 5 s, full jitter. */
    static final Backoff SERIALIZE_BACKOFF = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5))
            .fullJitter().build();
    /**
     * Upper bound of what a record adds to its key, value and headers in a batch of its own (batch header 61
     * bytes, record framing at most 21), as the producer estimates it against {@code max.request.size}.
     */
    static final int RECORD_OVERHEAD_BYTES = 61 + 21;

    private final Map<String, Integer> tiersByTopic;
    private final Topics topics;
    private final Deserializer<PromptJob> jobs;
    private final Deserializer<RetryJob> retries;
    private final JobProcessor processor;
    private final OutcomeRecords records;
    private final OutcomeMetrics metrics;
    private final Consumer<String> modelSeen;
    private final Clock clock;
    private final int maxRecordBytes;
    private final int maxCrashStarts;
    private final Backoff decodeBackoff;
    private final Backoff serializeBackoff;
    private final Cancellations cancellations;
    private final @Nullable String statesWorkerId;
    private final BooleanSupplier statusTopicReady;

    /**
     * @param maxRecordBytes the producer's {@code max.request.size}: larger outcomes use their fallback at once
     * @param maxCrashStarts starts without an outcome after which a job is dead-lettered as a crash loop
     */
    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock, int maxRecordBytes, int maxCrashStarts) {
        this(topics, tiersByTopic, processor, records, metrics, modelSeen, clock, maxRecordBytes, maxCrashStarts,
                DECODE_BACKOFF, SERIALIZE_BACKOFF);
    }

    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock, int maxRecordBytes, int maxCrashStarts,
            Backoff decodeBackoff, Backoff serializeBackoff) {
        this(topics, tiersByTopic, processor, records, metrics, modelSeen, clock, maxRecordBytes, maxCrashStarts,
                decodeBackoff, serializeBackoff, new Cancellations(1, Duration.ofDays(1), clock, outcome -> {}), null);
    }

    /**
     * @param cancellations the cancel requests known and the jobs running, checked as each job starts
     * @param statesWorkerId with a scheduled retry that spent an attempt, also write its RETRYING state (see
     *     {@link JobStates}) naming this worker; null: no states
     */
    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock, int maxRecordBytes, int maxCrashStarts,
            Backoff decodeBackoff, Backoff serializeBackoff, Cancellations cancellations, @Nullable String statesWorkerId) {
        this(topics, tiersByTopic, processor, records, metrics, modelSeen, clock, maxRecordBytes, maxCrashStarts,
                decodeBackoff, serializeBackoff, cancellations, statesWorkerId, () -> true);
    }

    /**
     * @param statusTopicReady whether the status topic is known to exist: a RETRYING state goes into the outcome's
     *     transaction, so it is left out while the topic is missing rather than failing the retry with it
     */
    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock, int maxRecordBytes, int maxCrashStarts,
            Backoff decodeBackoff, Backoff serializeBackoff, Cancellations cancellations, @Nullable String statesWorkerId,
            BooleanSupplier statusTopicReady) {
        this.cancellations = cancellations;
        this.statesWorkerId = statesWorkerId;
        this.statusTopicReady = statusTopicReady;
        this.topics = topics;
        this.tiersByTopic = Map.copyOf(tiersByTopic);
        this.jobs = topics.jobs().valueDeserializer();
        this.retries = topics.retry(0).valueDeserializer();
        this.processor = processor;
        this.records = records;
        this.metrics = metrics;
        this.modelSeen = modelSeen;
        this.clock = clock;
        this.maxRecordBytes = maxRecordBytes;
        this.maxCrashStarts = maxCrashStarts;
        this.decodeBackoff = decodeBackoff;
        this.serializeBackoff = serializeBackoff;
    }

    @Override
    public JobOutput handle(ConsumerRecord<byte[], byte[]> record, JobContext context) throws InterruptedException {
        long start = System.nanoTime();
        Coordinates source = new Coordinates(record.topic(), record.partition(), record.offset());
        Integer tier = tiersByTopic.get(record.topic());
        JobDelivery delivery;
        try {
            delivery = decode(record, source, tier, context);
        } catch (Undecodable u) {
            return undecodable(record, source, u, context);
        }
        modelSeen.accept(delivery.job().getModel());
        if (delivery.dueAt() != null) {
            metrics.retryLateness(Duration.between(delivery.dueAt(), clock.instant()));
        }
        List<Violation> invalid = JobValidator.validateJobId(delivery.job().getJobId());
        if (!invalid.isEmpty()) {
            String why = invalid.getFirst().field() + " " + invalid.getFirst().message();
            log.warn("Job from {} is invalid ({}); dead-lettering it as {} without calling the provider", source, why,
                    DeadLetterReason.INVALID_JOB);
            return deadLetter(processor.givenUp(delivery, DeadLetterReason.INVALID_JOB, why), context);
        }
        String jobId = delivery.job().getJobId();
        Cancellations.Running run = cancellations.started(jobId, delivery.job().getTenant());
        CancelRequest known = null;
        CancelRequest lateCancel;
        Outcome outcome;
        try {
            known = cancellations.find(jobId, delivery.job().getTenant());
            if (known != null) {
                log.info("Job {} from {} is cancelled (requested {}); finishing it without calling the provider",
                        jobId, source, known.requestedAt());
                outcome = processor.cancelled(delivery, known);
            } else if (context.previousStarts() >= maxCrashStarts) {
                log.error("Job {} from {} was started {} times without an outcome; dead-lettering it as a crash loop",
                        delivery.job().getJobId(), source, context.previousStarts());
                outcome = processor.crashLooped(delivery, context.previousStarts());
            } else {
                outcome = processor.process(delivery, run::request);
            }
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            // The provider may have been called: never run the job again for this delivery.
            run.finish();
            outcome = processor.givenUp(delivery, DeadLetterReason.INTERNAL_ERROR, "processing failed: " + e);
            return internalError(record, source, outcome, e, context);
        } finally {
            lateCancel = run.finish();
        }
        if (outcome instanceof Outcome.Cancelled) {
            metrics.cancellation(known != null ? Cancellations.QUEUED : Cancellations.RUNNING);
        } else if (lateCancel != null) {
            log.info("Job {}: its cancel came after its outcome ({}); the outcome stands", jobId, outcomeKind(outcome));
            metrics.cancellation(Cancellations.TOO_LATE);
        }
        if (context.abandoned()) {
            throw new CancellationException("partition revoked: job " + delivery.job().getJobId() + " is left to its new owner");
        }
        JobOutput output;
        try {
            output = output(outcome, delivery.attemptsMade(), context);
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            return internalError(record, source, outcome, e, context);
        }
        metrics.handled(Duration.ofNanos(System.nanoTime() - start));
        return output;
    }

    // ------------------------------------------------------------------ internal errors

    /**
     * The output of a job whose outcome exists (the provider may have been paid) but whose output records could
     * not be built - a bug or a foreign record the worker cannot represent, never the registry's trouble (that is
     * waited out): the job is dead-lettered {@link DeadLetterReason#INTERNAL_ERROR} with the exception's text,
     * instead of being run again. Each step falls back to a simpler one if it fails too: the dead letter with
     * its {@code DEAD_LETTERED} result, the dead letter alone, the dead letter of the raw record.
     *
     * @throws CancellationException if the job was abandoned while the registry was waited out
     */
    private JobOutput internalError(ConsumerRecord<byte[], byte[]> record, Coordinates source, Outcome outcome,
            RuntimeException cause, JobContext context) throws InterruptedException {
        String message = "the outcome (" + outcomeKind(outcome) + ") could not be built: " + cause;
        log.error("Job {} from {}: {}; dead-lettering it as {} without calling the provider again",
                outcome.history().jobId(), source, message, DeadLetterReason.INTERNAL_ERROR, cause);
        ErrorInfo error = ErrorInfo.newBuilder().setType(DeadLetterReason.INTERNAL_ERROR.name()).setMessage(message)
                .setRetryable(false).setHttpStatus(null).build();
        Outcome.DeadLettered dead = outcome instanceof Outcome.DeadLettered d
                && d.reason() == DeadLetterReason.INTERNAL_ERROR ? d
                : new Outcome.DeadLettered(outcome.history().withLastError(error, clock.instant()),
                        DeadLetterReason.INTERNAL_ERROR);
        try {
            return deadLetter(dead, context);
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException withResult) {
            log.warn("Job {}: its DEAD_LETTERED result cannot be built either ({}); writing the dead letter alone",
                    dead.history().jobId(), withResult.toString());
        }
        byte[] key = dead.history().jobId().getBytes(StandardCharsets.UTF_8);
        try {
            return JobOutput.of(List.of(record(topics.deadLetters(), key, records.deadLetter(dead),
                    reasonHeader(DeadLetterReason.INTERNAL_ERROR), context)));
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException alone) {
            log.warn("Job {}: its dead letter cannot be built either ({}); dead-lettering the raw record",
                    dead.history().jobId(), alone.toString());
        }
        DeadLetter raw = records.undecodable(source, utf8(record.key()), record.key(), record.value(),
                DeadLetterReason.INTERNAL_ERROR.name(), message, clock.instant());
        ProducerRecord<byte[], byte[]> full = record(topics.deadLetters(), record.key(), raw,
                reasonHeader(DeadLetterReason.INTERNAL_ERROR), context);
        if (estimatedSize(full) > maxRecordBytes) {
            full = record(topics.deadLetters(), record.key(), DeadLetter.newBuilder(raw).setRawValue(null).build(),
                    reasonHeader(DeadLetterReason.INTERNAL_ERROR), context);
        }
        return JobOutput.of(List.of(full));
    }

    private static RecordHeaders reasonHeader(DeadLetterReason reason) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WorkerHeaders.DEAD_LETTER_REASON, reason.name().getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    // ------------------------------------------------------------------ outputs

    /**
     * The output of {@code outcome}, whose fallback dead-letters the job; the fallback at once if a record is above
     * the producer's limit already.
     */
    private JobOutput output(Outcome outcome, int attemptsBefore, JobContext waiting) throws InterruptedException {
        byte[] key = outcome.history().jobId().getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<byte[], byte[]>> out;
        switch (outcome) {
            case Outcome.Succeeded s -> out = List.of(result(key, records.result(s), waiting));
            case Outcome.Expired e -> out = List.of(result(key, records.result(e), waiting));
            case Outcome.Cancelled c -> out = List.of(result(key, records.result(c), waiting));
            case Outcome.RetryScheduled r -> {
                RecordHeaders headers = new RecordHeaders();
                headers.add(WorkerHeaders.DUE_AT, WorkerHeaders.millis(r.dueAt().toEpochMilli()));
                ProducerRecord<byte[], byte[]> retry = record(topics.retry(r.tier()), key, records.retryJob(r), headers,
                        waiting);
                // RETRYING only when this delivery spent an attempt: a job parked without one keeps its state
                out = statesWorkerId == null || r.history().attempts() <= attemptsBefore
                        || !statusTopicReady.getAsBoolean() ? List.of(retry)
                        : List.of(retry, record(topics.status(), key,
                                JobStates.retrying(r.history(), r.dueAt(), statesWorkerId), new RecordHeaders(), waiting));
            }
            case Outcome.DeadLettered d -> {
                return deadLetter(d, waiting);
            }
        }
        if (!fits(out, outcome)) {
            return publishFailed(outcome);
        }
        switch (outcome) {
            case Outcome.Succeeded s -> metrics.outcome(JobStatus.SUCCEEDED);
            case Outcome.Expired e -> metrics.outcome(JobStatus.EXPIRED);
            case Outcome.Cancelled c -> metrics.outcome(JobStatus.CANCELLED);
            case Outcome.RetryScheduled r -> metrics.retry(r.tier());
            case Outcome.DeadLettered d -> { }
        }
        return JobOutput.of(out, () -> publishFailed(outcome));
    }

    /** Whether every record is within the producer's {@code max.request.size} (else it would refuse it). */
    private boolean fits(List<ProducerRecord<byte[], byte[]>> out, Outcome outcome) {
        for (int i = 0; i < out.size(); i++) {
            int size = estimatedSize(out.get(i));
            if (size > maxRecordBytes) {
                log.error("Job {}: its {} record of about {} bytes is above max.request.size {}; dead-lettering it",
                        outcome.history().jobId(), out.get(i).topic(), size, maxRecordBytes);
                return false;
            }
        }
        return true;
    }

    /**
     * The outcome cannot be written: the job is dead-lettered instead. Also the fallback the poll thread asks for
     * when the broker refused a record - then nothing waits: a serialization failure is thrown.
     */
    private JobOutput publishFailed(Outcome outcome) {
        ErrorInfo error = ErrorInfo.newBuilder().setType(DeadLetterReason.PUBLISH_FAILED.name())
                .setMessage(outcomeKind(outcome) + " is larger than the broker accepts").setRetryable(false)
                .setHttpStatus(null).build();
        Outcome.DeadLettered dead = new Outcome.DeadLettered(outcome.history().withLastError(error, clock.instant()),
                DeadLetterReason.PUBLISH_FAILED);
        try {
            return deadLetter(dead, null);
        } catch (InterruptedException e) {
            throw new IllegalStateException("never waits without a job context", e);
        }
    }

    private static String outcomeKind(Outcome outcome) {
        return switch (outcome) {
            case Outcome.Succeeded s -> "the result";
            case Outcome.Expired e -> "the result";
            case Outcome.Cancelled c -> "the result";
            case Outcome.RetryScheduled r -> "the retry record";
            case Outcome.DeadLettered d -> "the dead letter";
        };
    }

    /**
     * The dead letter and the DEAD_LETTERED result of a job, with a slim version (without the job and its
     * attributes) as fallback - or the slim one at once if the full one is above the producer's limit.
     */
    private JobOutput deadLetter(Outcome.DeadLettered d, @Nullable JobContext waiting) throws InterruptedException {
        metrics.deadLetter(d.reason().name());
        metrics.outcome(JobStatus.DEAD_LETTERED);
        List<ProducerRecord<byte[], byte[]>> full = deadLetterRecords(d, false, waiting);
        if (!fits(full, d)) {
            return JobOutput.of(deadLetterRecords(d, true, waiting));
        }
        return JobOutput.of(full, () -> {
            try {
                return JobOutput.of(deadLetterRecords(d, true, null));
            } catch (InterruptedException e) {
                throw new IllegalStateException("never waits without a job context", e);
            }
        });
    }

    private List<ProducerRecord<byte[], byte[]>> deadLetterRecords(Outcome.DeadLettered d, boolean slim,
            @Nullable JobContext waiting) throws InterruptedException {
        byte[] key = d.history().jobId().getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = records.deadLetter(d);
        JobResult result = records.result(d);
        if (slim) {
            letter = DeadLetter.newBuilder(letter).setJob(null).build();
            result = JobResult.newBuilder(result).setAttributes(Map.of()).build();
        }
        RecordHeaders headers = new RecordHeaders();
        headers.add(WorkerHeaders.DEAD_LETTER_REASON, d.reason().name().getBytes(StandardCharsets.UTF_8));
        return List.of(record(topics.deadLetters(), key, letter, headers, waiting), result(key, result, waiting));
    }

    private ProducerRecord<byte[], byte[]> result(byte[] key, JobResult result, @Nullable JobContext waiting)
            throws InterruptedException {
        return record(topics.results(), key, result, new RecordHeaders(), waiting);
    }

    /**
     * Serializes {@code value} for {@code topic} (registering its schema if needed). With a {@code waiting}
     * context, a registry failure (down, refusing) is waited out with {@link #SERIALIZE_BACKOFF} until it works or the job
     * is abandoned; without one (on the poll thread) it is thrown.
     */
    private <V> ProducerRecord<byte[], byte[]> record(Topic<String, V> topic, byte @Nullable [] key, V value,
            Headers headers, @Nullable JobContext waiting) throws InterruptedException {
        Backoff.Attempts attempts = null;
        while (true) {
            try {
                byte[] bytes = topic.valueSerializer().serialize(topic.name(), headers, value);
                return new ProducerRecord<>(topic.name(), null, key, bytes, headers);
            } catch (SchemaRegistryException e) {
                // The registry's trouble (down, refusing us): waited out. Anything else can never be encoded.
                if (waiting == null) {
                    throw e;
                }
                if (waiting.abandoned()) {
                    throw new CancellationException("abandoned");
                }
                if (attempts == null) {
                    attempts = serializeBackoff.start();
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    throw e;
                }
                log.warn("Cannot serialize the outcome for {} ({}); trying again in {} ms", topic.name(), e.toString(),
                        wait.get().toMillis());
                attempts.sleep(wait.get());
            }
        }
    }

    /** An upper bound of the record's size as the producer checks it against {@code max.request.size}. */
    static int estimatedSize(ProducerRecord<byte[], byte[]> r) {
        long size = RECORD_OVERHEAD_BYTES;
        size += r.key() == null ? 0 : r.key().length;
        size += r.value() == null ? 0 : r.value().length;
        for (Header h : r.headers()) {
            size += 10 + h.key().length() * 3L + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    // ------------------------------------------------------------------ decoding

    private JobDelivery decode(ConsumerRecord<byte[], byte[]> record, Coordinates source, Integer tier,
            JobContext context) throws InterruptedException {
        if (record.value() == null || record.value().length == 0) {
            throw new Undecodable("EMPTY_VALUE", "the record has no value");
        }
        Backoff.Attempts attempts = decodeBackoff.start();
        while (true) {
            try {
                if (tier == null) {
                    return JobDelivery.fresh(jobs.deserialize(record.topic(), record.headers(), record.value()), source);
                }
                return JobDelivery.retried(retries.deserialize(record.topic(), record.headers(), record.value()), source);
            } catch (RegistryUnreachableException | RegistryRefusedException e) {
                // The registry's trouble (down, or refusing us after a credential change), not the record's.
                if (context.abandoned()) {
                    throw new CancellationException("abandoned");
                }
                Optional<Duration> wait = attempts.next();
                if (wait.isEmpty()) {
                    throw e; // only with a bounded backoff: the poll loop retries the record, it is not dead-lettered
                }
                log.warn("Cannot decode {}: {}; trying again in {} ms", source, e.getMessage(), wait.get().toMillis());
                attempts.sleep(wait.get());
            } catch (UnknownSchemaIdException e) {
                throw new Undecodable("UNKNOWN_SCHEMA_ID", e.getMessage());
            } catch (UnknownMagicByteException e) {
                throw new Undecodable("UNKNOWN_MAGIC_BYTE", e.getMessage());
            } catch (RuntimeException e) {
                throw new Undecodable("DESERIALIZATION", String.valueOf(e.getMessage()));
            }
        }
    }

    /** The dead letter of an undecodable record with its raw bytes; its fallback leaves the raw value out. */
    private JobOutput undecodable(ConsumerRecord<byte[], byte[]> record, Coordinates source, Undecodable u,
            JobContext context) throws InterruptedException {
        log.warn("Dead-lettering undecodable record {} ({}): {}", source, u.type, u.getMessage());
        DeadLetter letter = records.undecodable(source, utf8(record.key()), record.key(), record.value(), u.type,
                u.getMessage(), clock.instant());
        metrics.deadLetter(DeadLetterReason.UNDECODABLE.name());
        ProducerRecord<byte[], byte[]> full = undecodableRecord(record, letter, context);
        Supplier<JobOutput> withoutRawValue = () -> {
            try {
                return JobOutput.of(List.of(undecodableRecord(record, DeadLetter.newBuilder(letter).setRawValue(null)
                        .setErrorMessage(u.getMessage() + " (raw value of " + record.value().length
                                + " bytes left out: larger than the broker accepts)").build(), null)));
            } catch (InterruptedException e) {
                throw new IllegalStateException("never waits without a job context", e);
            }
        };
        int size = estimatedSize(full);
        if (size > maxRecordBytes) {
            log.error("Dead letter of {} is about {} bytes, above max.request.size {}; leaving its raw value out",
                    source, size, maxRecordBytes);
            return withoutRawValue.get();
        }
        return JobOutput.of(List.of(full), withoutRawValue);
    }

    private ProducerRecord<byte[], byte[]> undecodableRecord(ConsumerRecord<byte[], byte[]> record, DeadLetter letter,
            @Nullable JobContext waiting) throws InterruptedException {
        RecordHeaders headers = new RecordHeaders();
        headers.add(WorkerHeaders.DEAD_LETTER_REASON, DeadLetterReason.UNDECODABLE.name().getBytes(StandardCharsets.UTF_8));
        return record(topics.deadLetters(), record.key(), letter, headers, waiting);
    }

    private static @Nullable String utf8(byte @Nullable [] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The record cannot be decoded; {@code type} is the dead letter's error type. */
    private static final class Undecodable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String type;

        Undecodable(String type, String message) {
            super(message, null, false, false);
            this.type = type;
        }
    }
}
