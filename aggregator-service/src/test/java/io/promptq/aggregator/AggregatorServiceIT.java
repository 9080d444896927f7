package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@PromptqCluster
class AggregatorServiceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String[] MODELS = {"gpt", "llama", "mistral"};

    @TempDir
    Path tmp;

    /** Job i: model i % 3, tenant i % 2, every 10th dead-lettered, every 7th with 3 attempts. */
    private static List<JobResult> jobs(String prefix, int from, int to) {
        List<JobResult> jobs = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = from; i < to; i++) {
            JobStatus status = i % 10 == 9 ? JobStatus.DEAD_LETTERED : JobStatus.SUCCEEDED;
            long[] attempts = i % 7 == 6 ? new long[] {100 + i, 200 + i, 300 + i} : new long[] {100 + i};
            jobs.add(Results.result(prefix + i, MODELS[i % 3], i % 2 == 0 ? "acme" : "globex", status, now, 1_000 + i,
                    10, 20, attempts));
        }
        return jobs;
    }

    private static double counter(PrometheusMeterRegistry meters, String outcome) {
        return meters.get(AggregatorMetrics.RESULTS).tag("outcome", outcome).counter().count();
    }

    @Test
    void publishedResultsBecomeTotalsOnTheTopicAndOverHttp(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster)) {
            List<JobResult> jobs = jobs("job-", 0, 30);
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService aggregator = AggregatorService.start(it.config("agg-" + it.suffix, tmp.resolve("a")), meters);
                    AggregatorClient client = AggregatorClient.create(aggregator.url().toString())) {
                aggregator.awaitRunning(TIMEOUT);
                it.publish(jobs);
                it.publish(jobs.subList(0, 5)); // at-least-once workers: duplicates

                // the compacted totals topic, read with our deserializer
                Map<String, JobStats> topic = it.readTotalsUntil(
                        t -> t.containsKey("overall") && t.get("overall").getTotal() >= 30, TIMEOUT);
                await().atMost(TIMEOUT).until(() -> counter(meters, "duplicate") == 5);
                JobStats overall = aggregator.totals();
                assertThat(overall.getTotal()).isEqualTo(30);
                assertThat(overall.getSucceeded()).isEqualTo(27);
                assertThat(overall.getDeadLettered()).isEqualTo(3);
                assertThat(overall.getJobsRetried()).isEqualTo(4); // i = 6, 13, 20, 27
                assertThat(overall.getTotalRetries()).isEqualTo(8);
                assertThat(overall.getProviderLatency().getCount()).isEqualTo(38);
                assertThat(overall.getPromptTokens()).isEqualTo(300);
                assertThat(topic.get("overall").getTotal()).isEqualTo(30);
                assertThat(topic.get("model:gpt").getTotal()).isEqualTo(10);
                assertThat(topic.get("tenant:acme").getTotal()).isEqualTo(15);

                // the HTTP API
                JobStatsView viaHttp = client.totals();
                assertThat(viaHttp.total()).isEqualTo(30);
                assertThat(viaHttp.providerLatency().sumMs()).isEqualTo(overall.getProviderLatency().getSumMs());
                assertThat(client.totals(StatsKey.model("llama")).orElseThrow().total()).isEqualTo(10);
                assertThat(client.totals(StatsKey.tenant("globex")).orElseThrow().deadLettered()).isEqualTo(3);
                assertThat(client.totals(StatsKey.model("unknown-model"))).isEmpty();
                assertThat(client.allTotals()).extracting(JobStatsView::key).containsExactly(
                        "model:gpt", "model:llama", "model:mistral", "overall", "tenant:acme", "tenant:globex");
                List<JobStatsView> windows = client.windows(StatsKey.overall(), Instant.now().minusSeconds(600),
                        Instant.now().plusSeconds(60));
                assertThat(windows).extracting(JobStatsView::total).containsOnly(30L);
                JobResultView job = client.jobResult("job-9").orElseThrow();
                assertThat(job.status()).isEqualTo("DEAD_LETTERED");
                assertThat(job.error().type()).isEqualTo("PROVIDER_5XX");
                assertThat(client.jobResult("no-such-job")).isEmpty();

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> modelByPath = http.send(HttpRequest.newBuilder(
                        URI.create(aggregator.url() + "/v1/stats/totals/model/mistral")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(modelByPath.statusCode()).isEqualTo(200);
                assertThat(modelByPath.body()).contains("\"scopeValue\":\"mistral\"");
                assertThat(client.isReady()).isTrue();
                String metrics = http.send(HttpRequest.newBuilder(URI.create(aggregator.url() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("kafka_stream_").contains("promptq_aggregator_results_total");
                http.close();
            }
        }
    }

    @Test
    void restartKeepsTheTotalsAndIgnoresDuplicatesPublishedAfterIt(ClusterInfo cluster) {
        try (ItSupport it = new ItSupport(cluster)) {
            String appId = "agg-restart-" + it.suffix;
            List<JobResult> firstBatch = jobs("r-", 0, 20);
            try (AggregatorService aggregator = AggregatorService.start(it.config(appId, tmp.resolve("first")),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                aggregator.awaitRunning(TIMEOUT);
                it.publish(firstBatch);
                await().atMost(TIMEOUT).until(() -> aggregator.totals().getTotal() == 20);
            }

            // same application id, same state directory
            PrometheusMeterRegistry second = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService aggregator = AggregatorService.start(it.config(appId, tmp.resolve("first")), second)) {
                aggregator.awaitRunning(TIMEOUT);
                it.publish(firstBatch.subList(0, 5));
                it.publish(jobs("r-", 20, 23));
                await().atMost(TIMEOUT).until(() -> counter(second, "duplicate") == 5 && counter(second, "counted") == 3);
                await().atMost(TIMEOUT).until(() -> aggregator.totals().getTotal() == 23);
            }

            // same application id, empty state directory: the stores are restored from their changelogs
            PrometheusMeterRegistry third = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService aggregator = AggregatorService.start(it.config(appId, tmp.resolve("fresh")), third)) {
                aggregator.awaitRunning(TIMEOUT);
                assertThat(aggregator.totals().getTotal()).isEqualTo(23);
                it.publish(firstBatch.subList(5, 10));
                it.publish(jobs("r-", 20, 23));
                await().atMost(TIMEOUT).until(() -> counter(third, "duplicate") == 8);
                JobStats overall = aggregator.totals();
                assertThat(overall.getTotal()).isEqualTo(23);
                assertThat(overall.getDeadLettered()).isEqualTo(2);
                assertThat(aggregator.jobResult("r-3")).isPresent();
            }
            Map<String, JobStats> topic = it.readTotalsUntil(t -> t.containsKey("overall") && t.get("overall").getTotal() >= 23,
                    TIMEOUT);
            assertThat(topic.get("overall").getTotal()).isEqualTo(23);
        }
    }
}
