package io.promptq.producer;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.promptq.client.InvalidJobException;
import io.promptq.client.JobIds;
import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import io.promptq.client.ValidationRules;
import io.promptq.client.Violation;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A {@link PromptqClient} without Kafka for unit tests: validates with the real {@link JobValidator}, then
 * answers with {@code publisher} (by default a receipt at the next offset of partition 0).
 */
public final class FakePromptqClient implements PromptqClient {

    private final JobValidator validator;
    private final Duration sendTimeout;
    private final AtomicLong offsets = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final Queue<JobRequest> published = new ConcurrentLinkedQueue<>();
    private volatile Function<JobRequest, CompletableFuture<SubmitReceipt>> publisher = this::receipt;

    public FakePromptqClient(ValidationRules rules, Duration sendTimeout) {
        this.validator = JobValidator.of(rules);
        this.sendTimeout = sendTimeout;
    }

    /** Replaces how valid jobs are answered. */
    public FakePromptqClient publisher(Function<JobRequest, CompletableFuture<SubmitReceipt>> publisher) {
        this.publisher = publisher;
        return this;
    }

    /** A receipt at the next offset, completed on another thread after a short pause. */
    public CompletableFuture<SubmitReceipt> receipt(JobRequest request) {
        return CompletableFuture.supplyAsync(() -> new SubmitReceipt(JobIds.of(request.tenant(), request.idempotencyKey()),
                "fake.jobs", 0, offsets.getAndIncrement()), CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<SubmitReceipt> submit(JobRequest request) {
        List<Violation> violations = validator.validate(request);
        if (!violations.isEmpty()) {
            return CompletableFuture.failedFuture(new InvalidJobException(violations));
        }
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        published.add(request);
        return publisher.apply(request).whenComplete((r, e) -> inFlight.decrementAndGet());
    }

    /** Cancel requests made so far, as {@code tenant/jobId/reason}. */
    public final Queue<String> cancels = new ConcurrentLinkedQueue<>();

    @Override
    public CompletableFuture<Void> cancel(String tenant, String jobId, String reason) {
        cancels.add(tenant + "/" + jobId + "/" + reason);
        return CompletableFuture.completedFuture(null);
    }

    /** Valid jobs handed to the publisher so far. */
    public List<JobRequest> published() {
        return List.copyOf(published);
    }

    /** The most submissions outstanding at once. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public JobValidator validator() {
        return validator;
    }

    @Override
    public String jobsTopic() {
        return "fake.jobs";
    }

    @Override
    public Duration sendTimeout() {
        return sendTimeout;
    }

    @Override
    public KafkaClientMetrics kafkaClientMetrics() {
        throw new UnsupportedOperationException("no Kafka producer in the fake");
    }

    @Override
    public MeterBinder metrics() {
        return registry -> {};
    }

    @Override
    public void close() {
    }
}
