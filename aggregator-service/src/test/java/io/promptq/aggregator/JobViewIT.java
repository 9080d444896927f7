package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job view on a real broker and registry: state changes and results written as submitters and workers do. */
@PromptqCluster
class JobViewIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    static JobStateChange change(String jobId, JobState state, int attempt, Instant at) {
        return JobStateChange.newBuilder().setJobId(jobId).setTenant("acme").setState(state).setAt(at)
                .setAttempt(attempt).setWorkerId(state == JobState.QUEUED ? null : "worker-" + attempt)
                .setNextAttemptAt(state == JobState.RETRYING ? at.plusSeconds(5) : null)
                .setErrorClass(state == JobState.RETRYING ? "PROVIDER_5XX" : null).build();
    }

    @Test
    void statesAppearOnceAndInOrderAndAWaitReturnsWhenTheResultLands(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster);
                AggregatorService aggregator = AggregatorService.start(it.config("view-" + it.suffix, tmp.resolve("a")),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                AggregatorClient client = AggregatorClient.create(aggregator.url().toString())) {
            aggregator.awaitRunning(TIMEOUT);
            Instant t0 = Instant.now().minusSeconds(10).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            String job = "job-a";
            it.publishStates(change(job, JobState.QUEUED, 0, t0), change(job, JobState.RUNNING, 1, t0.plusSeconds(1)),
                    change(job, JobState.RETRYING, 1, t0.plusSeconds(2)));
            // a late RUNNING of attempt 1 and a repeated QUEUED after the retry, then the second attempt
            it.publishStates(change(job, JobState.RUNNING, 1, t0.plusSeconds(1)), change(job, JobState.QUEUED, 0, t0),
                    change(job, JobState.RUNNING, 2, t0.plusSeconds(7)));

            JobView running = await().atMost(TIMEOUT).until(() -> client.jobView(job, Duration.ZERO, null),
                    v -> v.isPresent() && v.get().version() == 3).orElseThrow();
            assertThat(running.state()).isEqualTo("RUNNING");
            assertThat(running.tenant()).isEqualTo("acme");
            assertThat(running.terminal()).isFalse();
            assertThat(running.history()).extracting(JobView.Change::state)
                    .containsExactly("QUEUED", "RUNNING", "RETRYING", "RUNNING");
            assertThat(running.history()).extracting(JobView.Change::version).containsExactly(0L, 1L, 2L, 3L);
            assertThat(running.history().get(2).errorClass()).isEqualTo("PROVIDER_5XX");
            assertThat(running.history().get(2).nextAttemptAt()).isEqualTo(t0.plusSeconds(7).toString());
            assertThat(running.history().get(3).workerId()).isEqualTo("worker-2");

            // a long poll on the running job, answered by the result
            CompletableFuture<Optional<JobView>> waiting =
                    CompletableFuture.supplyAsync(() -> client.jobView(job, Duration.ofSeconds(60), null));
            CompletableFuture<Optional<JobView>> afterThree =
                    CompletableFuture.supplyAsync(() -> client.jobView(job, Duration.ofSeconds(60), 3L));
            Thread.sleep(1_000);
            assertThat(waiting).isNotDone();
            assertThat(afterThree).isNotDone();
            long published = System.nanoTime();
            JobResult result = Results.result(job, "gpt", "acme", JobStatus.SUCCEEDED, Instant.now(), 9_000, 10, 20,
                    300, 400);
            it.publish(List.of(result));
            JobView done = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
            long waitedMs = Duration.ofNanos(System.nanoTime() - published).toMillis();
            assertThat(afterThree.get(30, TimeUnit.SECONDS).orElseThrow().version()).isEqualTo(JobView.TERMINAL);
            assertThat(waitedMs).as("the waiter is woken by the update, long before its 60 s wait").isLessThan(20_000);
            assertThat(done.terminal()).isTrue();
            assertThat(done.state()).isEqualTo("SUCCEEDED");
            assertThat(done.history()).extracting(JobView.Change::state)
                    .containsExactly("QUEUED", "RUNNING", "RETRYING", "RUNNING", "SUCCEEDED");
            JobView.Result outcome = done.result();
            assertThat(outcome.output()).isEqualTo("ok");
            assertThat(outcome.finishReason()).isEqualTo("stop");
            assertThat(outcome.attempts()).isEqualTo(2);
            assertThat(outcome.attemptDurationsMs()).containsExactly(300L, 400L);
            assertThat(outcome.providerMs()).isEqualTo(700);
            assertThat(outcome.endToEndMs()).isEqualTo(9_000);
            assertThat(outcome.completedAt()).isEqualTo(result.getCompletedAt().toString());

            // a duplicate result and a change after the end change nothing
            it.publish(List.of(result));
            it.publishStates(change(job, JobState.RETRYING, 2, t0.plusSeconds(8)));
            String marker = "job-marker";
            it.publishStates(change(marker, JobState.QUEUED, 0, t0));
            await().atMost(TIMEOUT).until(() -> client.jobView(marker, Duration.ZERO, null).isPresent());
            assertThat(client.jobView(job, Duration.ZERO, null).orElseThrow()).isEqualTo(done);

            // a result without earlier changes still gives a terminal view
            JobResult dead = Results.result("job-b", "gpt", "globex", JobStatus.DEAD_LETTERED, Instant.now(), 100, 1,
                    0, 50);
            it.publish(List.of(dead));
            JobView deadView = client.jobView("job-b", Duration.ofSeconds(30), null).orElseThrow();
            assertThat(deadView.state()).isEqualTo("DEAD_LETTERED");
            assertThat(deadView.tenant()).isEqualTo("globex");
            assertThat(deadView.history()).hasSize(1);
            assertThat(deadView.result().error().type()).isEqualTo("PROVIDER_5XX");

            // unknown jobs are 404, also after a short wait; bad parameters are 400
            assertThat(client.jobView("no-such-job", Duration.ofMillis(300), null)).isEmpty();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(
                    URI.create(aggregator.url() + "/v1/jobs/job-a?after=-1")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            HttpResponse<String> raw = http.send(HttpRequest.newBuilder(
                    URI.create(aggregator.url() + "/v1/jobs/job-a")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.body()).contains("\"state\":\"SUCCEEDED\"").contains("\"version\":" + JobView.TERMINAL);
            http.close();
        }
    }

    @Test
    void startFailsWhenTheStatusTopicIsNotCoPartitionedWithTheResults(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster);
                Admin admin = Admin.create(KafkaSettings.of(cluster.bootstrapServers()).adminConfig("it-admin"))) {
            admin.createTopics(List.of(new NewTopic(it.names.results(), 3, (short) 1),
                    new NewTopic(it.names.status(), 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> AggregatorService.start(it.config("copart-" + it.suffix, tmp.resolve("c")),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(it.names.results() + " has 3 partitions")
                    .hasMessageContaining(it.names.status() + " has 2");
        }
    }
}
