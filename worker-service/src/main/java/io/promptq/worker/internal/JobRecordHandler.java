package io.promptq.worker.internal;

import io.promptq.registry.RegistryRefusedException;
import io.promptq.registry.RegistryUnreachableException;
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
import io.promptq.worker.kafka.RecordHandler;
import io.promptq.worker.kafka.WorkerHeaders;
import io.promptq.worker.metrics.OutcomeMetrics;
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
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one record of the jobs topic or a retry tier: decodes it, runs the {@link JobProcessor}, publishes
 * the outcome and waits for the broker's acknowledgement.
 *
 * <ul>
 *   <li>A record that cannot be decoded (no value, garbage bytes, unknown schema id) goes to the dead-letter
 *       topic with its raw key and value and the reason; an unreachable registry is not the record's fault and
 *       is waited out instead ({@link #DECODE_BACKOFF}: no budget of its own, the loop ends when the registry
 *       answers or the job is abandoned).</li>
 *   <li>Succeeded and expired jobs: a {@link JobResult}. A scheduled retry: a {@link RetryJob} on its tier with
 *       the {@value WorkerHeaders#DUE_AT} header. A dead-lettered job: a {@link DeadLetter} <em>and</em> a
 *       {@code DEAD_LETTERED} result, acknowledged together.</li>
 *   <li>If an outcome cannot be published for a reason retrying will not fix (e.g. a result above the broker's
 *       size limit) the job is dead-lettered instead ({@link DeadLetterReason#PUBLISH_FAILED}).</li>
 *   <li>An abandoned job (its partition was revoked) publishes nothing: it will be redelivered.</li>
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

    private final Map<String, Integer> tiersByTopic;
    private final Topics topics;
    private final Deserializer<PromptJob> jobs;
    private final Deserializer<RetryJob> retries;
    private final JobProcessor processor;
    private final OutcomeRecords records;
    private final OutcomePublisher publisher;
    private final OutcomeMetrics metrics;
    private final Consumer<String> modelSeen;
    private final Clock clock;
    private final Backoff decodeBackoff;

    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomePublisher publisher, OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock) {
        this(topics, tiersByTopic, processor, records, publisher, metrics, modelSeen, clock, DECODE_BACKOFF);
    }

    JobRecordHandler(Topics topics, Map<String, Integer> tiersByTopic, JobProcessor processor, OutcomeRecords records,
            OutcomePublisher publisher, OutcomeMetrics metrics, Consumer<String> modelSeen, Clock clock,
            Backoff decodeBackoff) {
        this.decodeBackoff = decodeBackoff;
        this.topics = topics;
        this.tiersByTopic = Map.copyOf(tiersByTopic);
        this.jobs = topics.jobs().valueDeserializer();
        this.retries = topics.retry(0).valueDeserializer();
        this.processor = processor;
        this.records = records;
        this.publisher = publisher;
        this.metrics = metrics;
        this.modelSeen = modelSeen;
        this.clock = clock;
    }

    @Override
    public void handle(ConsumerRecord<byte[], byte[]> record, BooleanSupplier abandoned) throws InterruptedException {
        long start = System.nanoTime();
        Coordinates source = new Coordinates(record.topic(), record.partition(), record.offset());
        Integer tier = tiersByTopic.get(record.topic());
        JobDelivery delivery;
        try {
            delivery = decode(record, source, tier, abandoned);
        } catch (Undecodable u) {
            deadLetterUndecodable(record, source, u, abandoned);
            return;
        }
        modelSeen.accept(delivery.job().getModel());
        if (delivery.dueAt() != null) {
            metrics.retryLateness(Duration.between(delivery.dueAt(), clock.instant()));
        }
        Outcome outcome = processor.process(delivery);
        if (abandoned.getAsBoolean()) {
            throw new CancellationException("partition revoked: job " + delivery.job().getJobId() + " is left to its new owner");
        }
        try {
            publish(outcome, abandoned);
        } catch (PublishException e) {
            log.error("Job {} from {}: {}; dead-lettering it", delivery.job().getJobId(), source, e.getMessage());
            ErrorInfo error = ErrorInfo.newBuilder().setType(DeadLetterReason.PUBLISH_FAILED.name())
                    .setMessage(String.valueOf(e.getMessage())).setRetryable(false).setHttpStatus(null).build();
            Outcome.DeadLettered dead = new Outcome.DeadLettered(outcome.history().withLastError(error, clock.instant()),
                    DeadLetterReason.PUBLISH_FAILED);
            try {
                publish(dead, abandoned);
            } catch (PublishException again) {
                // Most likely the job itself is too large for the broker: record the outcome without it, rather
                // than leave the offset unfinished (and the partition stuck) forever.
                log.error("Job {} from {}: dead letter with the job refused too ({}); dead-lettering it without the job",
                        delivery.job().getJobId(), source, again.getMessage());
                publishDeadLetter(dead, true, abandoned);
            }
        }
        metrics.handled(Duration.ofNanos(System.nanoTime() - start));
    }

    private void publish(Outcome outcome, BooleanSupplier abandoned) throws InterruptedException {
        byte[] key = outcome.history().jobId().getBytes(StandardCharsets.UTF_8);
        switch (outcome) {
            case Outcome.Succeeded s -> {
                publisher.send(List.of(result(key, records.result(s))), abandoned);
                metrics.outcome(JobStatus.SUCCEEDED);
            }
            case Outcome.Expired e -> {
                publisher.send(List.of(result(key, records.result(e))), abandoned);
                metrics.outcome(JobStatus.EXPIRED);
            }
            case Outcome.RetryScheduled r -> {
                Topic<String, RetryJob> topic = topics.retry(r.tier());
                publisher.send(List.of(OutcomePublisher.Out.of(topic.name(), key, records.retryJob(r), topic.valueSerializer())
                        .header(WorkerHeaders.DUE_AT, WorkerHeaders.millis(r.dueAt().toEpochMilli()))), abandoned);
                metrics.retry(r.tier());
            }
            case Outcome.DeadLettered d -> publishDeadLetter(d, false, abandoned);
        }
    }

    /**
     * The dead letter and the DEAD_LETTERED result of a job; {@code slim} leaves out the job and its attributes,
     * for jobs too large to publish again.
     */
    private void publishDeadLetter(Outcome.DeadLettered d, boolean slim, BooleanSupplier abandoned) throws InterruptedException {
        byte[] key = d.history().jobId().getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = records.deadLetter(d);
        JobResult result = records.result(d);
        if (slim) {
            letter = DeadLetter.newBuilder(letter).setJob(null).build();
            result = JobResult.newBuilder(result).setAttributes(Map.of()).build();
        }
        Topic<String, DeadLetter> dlq = topics.deadLetters();
        publisher.send(List.of(
                OutcomePublisher.Out.of(dlq.name(), key, letter, dlq.valueSerializer())
                        .header(WorkerHeaders.DEAD_LETTER_REASON, d.reason().name().getBytes(StandardCharsets.UTF_8)),
                result(key, result)), abandoned);
        metrics.deadLetter(d.reason().name());
        metrics.outcome(JobStatus.DEAD_LETTERED);
    }

    private OutcomePublisher.Out<JobResult> result(byte[] key, JobResult result) {
        Topic<String, JobResult> topic = topics.results();
        return OutcomePublisher.Out.of(topic.name(), key, result, topic.valueSerializer());
    }

    private JobDelivery decode(ConsumerRecord<byte[], byte[]> record, Coordinates source, Integer tier,
            BooleanSupplier abandoned) throws InterruptedException {
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
                if (abandoned.getAsBoolean()) {
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

    private void deadLetterUndecodable(ConsumerRecord<byte[], byte[]> record, Coordinates source, Undecodable u,
            BooleanSupplier abandoned) throws InterruptedException {
        log.warn("Dead-lettering undecodable record {} ({}): {}", source, u.type, u.getMessage());
        DeadLetter letter = records.undecodable(source, utf8(record.key()), record.key(), record.value(), u.type,
                u.getMessage(), clock.instant());
        try {
            sendUndecodable(record, letter, abandoned);
        } catch (PublishException e) {
            // The raw bytes are what the broker refuses (too large): keep the coordinates and the reason.
            log.error("Dead letter of {} refused ({}); dead-lettering it without its raw value", source, e.getMessage());
            sendUndecodable(record, DeadLetter.newBuilder(letter).setRawValue(null)
                    .setErrorMessage(u.getMessage() + " (raw value of " + record.value().length
                            + " bytes left out: " + e.getMessage() + ")").build(), abandoned);
        }
        metrics.deadLetter(DeadLetterReason.UNDECODABLE.name());
    }

    private void sendUndecodable(ConsumerRecord<byte[], byte[]> record, DeadLetter letter, BooleanSupplier abandoned)
            throws InterruptedException {
        Topic<String, DeadLetter> dlq = topics.deadLetters();
        publisher.send(List.of(OutcomePublisher.Out.of(dlq.name(), record.key(), letter, dlq.valueSerializer())
                .header(WorkerHeaders.DEAD_LETTER_REASON,
                        DeadLetterReason.UNDECODABLE.name().getBytes(StandardCharsets.UTF_8))), abandoned);
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
