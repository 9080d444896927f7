package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.ResilienceConfig;
import io.promptq.schema.JobCancellation;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.OpenAiStub;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.cancel.Cancellations;
import io.promptq.worker.metrics.WorkerMetricNames;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Cancellation on a real broker and registry, with the OpenAI-compatible stub as the provider: a cancel made while
 * no worker runs holds for the next worker (no provider call, result CANCELLED), a cancel naming another tenant
 * does nothing, a job waiting on a retry tier ends CANCELLED when its retry is due (without another call), and a
 * running job's provider call is aborted - the stub sees the connection closed - and the job ends CANCELLED after
 * its one call, never retried or dead-lettered.
 */
@PromptqCluster
class CancellationIT {

    @Test
    void aCancelMadeWhileNoWorkerRunsFinishesTheQueuedJobWithoutAProviderCallOnlyForItsTenant(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "cancel-queued", 2, 1);
                OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant());
                KafkaProducer<String, JobCancellation> cancels = cancels(kit)) {
            cluster.createTopics(2, kit.names.cancellations());
            WorkerService first = start(kit, "first", stub);
            String before = kit.sendJobs("before", 1).getFirst();
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().result(before) != null);
            first.close();

            PromptJob cancelled = WorkerItKit.job("cancelled");
            PromptJob otherTenants = WorkerItKit.job("other-tenants");
            kit.send(cancelled, null);
            kit.send(otherTenants, null);
            cancel(cancels, kit, cancelled.getJobId(), cancelled.getTenant());
            cancel(cancels, kit, otherTenants.getJobId(), "tenant-b");

            WorkerService second = start(kit, "second", stub);
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().result(cancelled.getJobId()) != null
                    && kit.outcomes().result(otherTenants.getJobId()) != null);

            JobResult result = kit.outcomes().result(cancelled.getJobId());
            assertThat(result.getStatus()).isEqualTo(JobStatus.CANCELLED);
            assertThat(result.getAttempts()).isZero();
            assertThat(result.getError().getType()).isEqualTo("CANCELLED");
            assertThat(stub.calls(cancelled.getJobId())).isZero();
            assertThat(kit.outcomes().result(otherTenants.getJobId()).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(stub.calls(otherTenants.getJobId())).isEqualTo(1);
            assertThat(kit.outcomes().results.get(cancelled.getJobId())).hasSize(1);
            assertThat(cancellations(kit, second, Cancellations.QUEUED)).isEqualTo(1.0);
            assertThat(cancellations(kit, second, Cancellations.OTHER_TENANT)).isEqualTo(1.0);
        }
    }

    @Test
    void aRunningJobsCancelAbortsItsProviderCallAndEndsItCancelledWithoutRetry(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "cancel-running", 2, 1);
                OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant());
                KafkaProducer<String, JobCancellation> cancels = cancels(kit)) {
            cluster.createTopics(2, kit.names.cancellations());
            PromptJob job = WorkerItKit.job("running");
            stub.hold(job.getJobId());
            WorkerService worker = start(kit, "worker", stub);
            kit.send(job, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> stub.calls(job.getJobId()) == 1);

            cancel(cancels, kit, job.getJobId(), job.getTenant());

            await().atMost(Duration.ofSeconds(20)).until(() -> kit.outcomes().result(job.getJobId()) != null);
            await().atMost(Duration.ofSeconds(5)).until(() -> stub.closedByClient(job.getJobId()) == 1);
            JobResult result = kit.outcomes().result(job.getJobId());
            assertThat(result.getStatus()).isEqualTo(JobStatus.CANCELLED);
            assertThat(result.getAttempts()).isEqualTo(1);
            Thread.sleep(2_000); // a retry tier of 1 s would have run the job again by now
            assertThat(stub.calls(job.getJobId())).isEqualTo(1);
            assertThat(kit.outcomes().results.get(job.getJobId())).hasSize(1);
            assertThat(kit.outcomes().retries).isEmpty();
            assertThat(kit.outcomes().deadLetters).isEmpty();
            assertThat(cancellations(kit, worker, Cancellations.RUNNING)).isEqualTo(1.0);
        }
    }

    @Test
    void aJobWaitingOnARetryTierEndsCancelledWhenItsRetryIsDueWithoutAnotherCall(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "cancel-retry", 2, 1);
                OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant().withTransientRate(1.0));
                KafkaProducer<String, JobCancellation> cancels = cancels(kit)) {
            cluster.createTopics(2, kit.names.cancellations());
            PromptJob job = WorkerItKit.job("retrying");
            Map<String, String> env = env(kit, stub);
            // Full jitter: the retry is due within [0, 10s], so it may run once more before the cancel is read.
            env.put(WorkerConfig.RETRY_DELAYS.name(), "10s");
            WorkerConfig config = kit.config("worker", env);
            WorkerService worker = kit.start(config, LlmProviders.create(config.llm()));
            kit.send(job, null);
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().retries.stream()
                    .anyMatch(r -> r.retry().getJob().getJobId().equals(job.getJobId())));

            cancel(cancels, kit, job.getJobId(), job.getTenant());

            await().atMost(Duration.ofSeconds(40)).until(() -> kit.outcomes().result(job.getJobId()) != null);
            JobResult result = kit.outcomes().result(job.getJobId());
            assertThat(result.getStatus()).isEqualTo(JobStatus.CANCELLED);
            assertThat(result.getAttempts()).isBetween(1, 2);
            Thread.sleep(2_000);
            assertThat(stub.calls(job.getJobId())).as("no call after the cancel took effect")
                    .isEqualTo(result.getAttempts());
            assertThat(kit.outcomes().results.get(job.getJobId())).hasSize(1);
            assertThat(kit.outcomes().deadLetters).isEmpty();
            assertThat(cancellations(kit, worker, Cancellations.QUEUED)).isEqualTo(1.0);
        }
    }

    /** A worker calling the stub through the production OpenAI-compatible provider. */
    private static WorkerService start(WorkerItKit kit, String id, OpenAiStub stub) {
        WorkerConfig config = kit.config(id, env(kit, stub));
        return kit.start(config, LlmProviders.create(config.llm()));
    }

    private static Map<String, String> env(WorkerItKit kit, OpenAiStub stub) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(LlmConfig.PROVIDER.name(), "openai");
        overrides.put(LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl());
        overrides.put(ResilienceConfig.BREAKER_ENABLED.name(), "false");
        overrides.put(ResilienceConfig.CALL_TIMEOUT.name(), "60s");
        return overrides;
    }

    private static KafkaProducer<String, JobCancellation> cancels(WorkerItKit kit) {
        return new KafkaProducer<>(kit.producerConfig(kit.prefix + "-cancels"), new StringSerializer(),
                kit.topics.cancellations().valueSerializer());
    }

    private static void cancel(KafkaProducer<String, JobCancellation> producer, WorkerItKit kit, String jobId,
            String tenant) throws Exception {
        JobCancellation c = JobCancellation.newBuilder().setJobId(jobId).setTenant(tenant)
                .setRequestedAt(Instant.now()).setReason("test").build();
        producer.send(new ProducerRecord<>(kit.names.cancellations(), jobId, c)).get(30, TimeUnit.SECONDS);
    }

    private static double cancellations(WorkerItKit kit, WorkerService worker, String outcome) {
        Counter c = kit.meters(worker).find(WorkerMetricNames.CANCELLATIONS)
                .tag(WorkerMetricNames.TAG_OUTCOME, outcome).counter();
        return c == null ? 0 : c.count();
    }
}
