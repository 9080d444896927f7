package io.promptq.client.internal;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.promptq.client.CancelOutcome;
import io.promptq.client.JobListQuery;
import io.promptq.client.JobPage;
import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.JobView;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A client that submits through {@code submitter} and answers job status queries through {@code statusApi}. */
public final class StatusAwarePromptqClient implements PromptqClient {

    private final PromptqClient submitter;
    private final StatusApiClient statusApi;

    public StatusAwarePromptqClient(PromptqClient submitter, StatusApiClient statusApi) {
        this.submitter = submitter;
        this.statusApi = statusApi;
    }

    @Override
    public CompletableFuture<SubmitReceipt> submit(JobRequest request) {
        return submitter.submit(request);
    }

    @Override
    public CompletableFuture<Void> cancel(String tenant, String jobId, @Nullable String reason) {
        return submitter.cancel(tenant, jobId, reason);
    }

    @Override
    public JobValidator validator() {
        return submitter.validator();
    }

    @Override
    public String jobsTopic() {
        return submitter.jobsTopic();
    }

    @Override
    public Duration sendTimeout() {
        return submitter.sendTimeout();
    }

    @Override
    public KafkaClientMetrics kafkaClientMetrics() {
        return submitter.kafkaClientMetrics();
    }

    @Override
    public MeterBinder metrics() {
        return submitter.metrics();
    }

    @Override
    public Optional<JobView> status(String jobId) {
        return statusApi.status(jobId);
    }

    @Override
    public JobView await(String jobId, Duration timeout) {
        return statusApi.await(jobId, timeout);
    }

    @Override
    public CancelOutcome cancel(String jobId) {
        return statusApi.cancel(jobId);
    }

    @Override
    public JobPage list(JobListQuery query) {
        return statusApi.list(query);
    }

    @Override
    public void close() {
        try {
            submitter.close();
        } finally {
            statusApi.close();
        }
    }
}
