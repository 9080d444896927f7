package io.promptq.client;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.promptq.client.internal.KafkaPromptqClient;
import io.promptq.client.internal.StatusApiClient;
import io.promptq.client.internal.StatusAwarePromptqClient;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.topic.TopicNames;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Publishes prompt jobs to promptq's jobs topic straight from a JVM, without the HTTP API: the same
 * validation ({@link JobValidator}), the same job ids ({@link JobIds}), the same Avro record and the same
 * receipt as {@code POST /v1/jobs}. Thread-safe; create one per application and close it on shutdown.
 *
 * <pre>{@code
 * try (PromptqClient client = PromptqClient.create(ClientConfig.from(ConfigSource.fromEnvironment()))) {
 *     SubmitReceipt receipt = client.submit(JobRequest.builder()
 *             .tenant("acme").model("gpt-4o-mini").user("Summarize ...").maxTokens(256).build()).join();
 * }
 * }</pre>
 *
 * <p>Records are written with an idempotent, {@code acks=all} producer, keyed by job id.
 *
 * <p><b>Idempotency keys.</b> A job with an idempotency key is named by tenant + key ({@link JobIds}). Submitted
 * again within the idempotency window ({@code PROMPTQ_IDEMPOTENCY_WINDOW}, default 24h) with the same payload, it is
 * not written again: the receipt names the first copy and says {@link SubmitReceipt#duplicate()}. With another
 * payload it is refused with {@link IdempotencyConflictException}. The client knows the keys it accepted itself and
 * those in the idempotency ledger the workers write; copies that slip past it (concurrent submits through different
 * clients before the ledger has the first) are written, and the workers run only the first.
 *
 * <p><b>Ambiguous sends.</b> When the broker's answer is lost (no acknowledgement within the send timeout, a
 * disconnect in flight, {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND}) the record may or may not have been written. The
 * client then sends the same record again, up to {@link ClientConfig#outcomeUnknownRetries()} times (default 2) with
 * a short backoff, and fails with {@link SubmitException.Reason#OUTCOME_UNKNOWN} only if every try was ambiguous.
 * A retry never makes a second job: it carries the same job id and idempotency key - the caller's, or one the client
 * generates (a random UUID) before the first try when the caller gave none, so every job it sends is keyed while
 * retries are enabled (set them to 0 to send unkeyed jobs as such).
 */
public interface PromptqClient extends AutoCloseable {

    /**
     * Validates {@code request}, assigns its job id and publishes it, unless it is a resubmission of a keyed job.
     *
     * <p>The future completes with the receipt once the broker acknowledged the record (for a duplicate: at once,
     * or once the first copy's acknowledgement arrives), or exceptionally with {@link InvalidJobException} or
     * {@link IdempotencyConflictException} (nothing written), or with a {@link SubmitException} whose
     * {@linkplain SubmitException#reason() reason} says whether to retry; it completes within
     * {@link #sendTimeout()}, or, when sends whose outcome is unknown are retried, within one send timeout per try
     * plus the backoff between tries. This call itself may block for up to that timeout while topic metadata is
     * fetched or while the producer's buffer is full (as {@code KafkaProducer.send} does); the future then
     * completes on the producer's I/O thread, so chain heavy work with the {@code *Async} methods.
     */
    CompletableFuture<SubmitReceipt> submit(JobRequest request);

    /**
     * Asks the workers to cancel the job {@code jobId} of {@code tenant}: writes a {@code JobCancellation} to the
     * cancellations topic ({@code <jobs>.cancellations}, keyed by job id). A job not started yet is finished
     * {@code CANCELLED} without a provider call, a running one has its call aborted; a job already finished keeps
     * its outcome, and a request naming another tenant's job does nothing. The future completes once the broker
     * acknowledged the request (within {@link #sendTimeout()}), or exceptionally with a {@link SubmitException}.
     *
     * @param reason why, kept in the request and the job's result; may be null
     */
    CompletableFuture<Void> cancel(String tenant, String jobId, @Nullable String reason);

    /** The validator {@link #submit} applies, e.g. to check a request without publishing it. */
    JobValidator validator();

    /** The topic jobs are written to. */
    String jobsTopic();

    /** The longest a submission may take (see {@link ClientConfig#sendTimeout()}). */
    Duration sendTimeout();

    /**
     * A Micrometer binder of the underlying Kafka producer's metrics. The caller binds it to a registry and
     * closes it before closing this client.
     */
    KafkaClientMetrics kafkaClientMetrics();

    /**
     * A Micrometer binder of the client's own meters ({@link ClientMetrics}: idempotency duplicates, conflicts and
     * index size). The caller binds it to a registry.
     */
    MeterBinder metrics();

    /**
     * The job's current state from the producer's status API ({@link ClientConfig#statusApi()}); empty if the job is
     * unknown (or another tenant's, or older than the status retention).
     *
     * @throws JobStatusException if no status API is configured or it cannot answer
     */
    default Optional<JobView> status(String jobId) {
        return StatusApiClient.unconfigured().status(jobId);
    }

    /**
     * Waits until the job is terminal and answers its view (with the outcome), long-polling the producer's status
     * API.
     *
     * @throws JobStatusException if the job is unknown, not terminal within {@code timeout}, or the API cannot answer
     */
    default JobView await(String jobId, Duration timeout) {
        return StatusApiClient.unconfigured().await(jobId, timeout);
    }

    /**
     * Cancels the job over the producer's status API ({@code POST /v1/jobs/{id}/cancel}, with the API's token, so for
     * the token's tenant): a terminal job is answered with its state and nothing is written; otherwise a cancel
     * request is written (the job ends {@code CANCELLED}) and the job's state right after it is answered.
     *
     * @throws JobStatusException if no status API is configured ({@link StatusApiConfig#URL}), the job is unknown or
     *     another tenant's (404, with authentication on), or the API cannot answer
     */
    default CancelOutcome cancel(String jobId) {
        return StatusApiClient.unconfigured().cancel(jobId);
    }

    /**
     * A page of the tenant's jobs, newest first, from the producer's status API ({@code GET /v1/jobs}); walk on with
     * {@code query.cursor(page.nextCursor())} until it is null.
     *
     * @throws JobStatusException if no status API is configured, a parameter is refused (400) or the API cannot answer
     */
    default JobPage list(JobListQuery query) {
        return StatusApiClient.unconfigured().list(query);
    }

    /** Waits up to the send timeout for submissions in flight, then releases the producer and registry client. */
    @Override
    void close();

    /** A client for {@code config}, owning its own producer and schema registry client. */
    static PromptqClient create(ClientConfig config) {
        KafkaPromptqClient submitter = KafkaPromptqClient.create(config);
        return config.statusApi().url() == null ? submitter
                : new StatusAwarePromptqClient(submitter, StatusApiClient.of(config.statusApi()));
    }

    /** A client with the default send timeout and client id. */
    static PromptqClient create(KafkaSettings kafka, RegistryConfig registry, TopicNames topics, ValidationRules rules) {
        return create(ClientConfig.of(kafka, registry).toBuilder().topics(topics).rules(rules).build());
    }
}
