package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.schema.JobResult;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@PromptqCluster
class TwoInstancesIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void eitherInstanceAnswersEveryQueryByForwardingToTheOwner(ClusterInfo cluster) {
        try (ItSupport it = new ItSupport(cluster)) {
            cluster.createTopics(4, it.names.results());
            String appId = "agg-pair-" + it.suffix;
            PrometheusMeterRegistry metersA = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PrometheusMeterRegistry metersB = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService a = AggregatorService.start(it.config(appId, tmp.resolve("a")), metersA);
                    AggregatorService b = AggregatorService.start(it.config(appId, tmp.resolve("b")), metersB);
                    AggregatorClient clientA = AggregatorClient.create(a.url().toString());
                    AggregatorClient clientB = AggregatorClient.create(b.url().toString())) {
                assertThat(a.httpPort()).isNotEqualTo(b.httpPort());
                a.awaitRunning(TIMEOUT);
                b.awaitRunning(TIMEOUT);
                List<JobResult> jobs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    jobs.add(Results.succeeded("pair-" + i, "model-" + (i % 4), "tenant-" + (i % 2), Instant.now()));
                }
                it.publish(jobs);

                // either instance answers with the same totals, whichever owns them (503s while rebalancing are retried)
                JobStatsView viaA = clientA.awaitTotals(t -> t.total() == 40, TIMEOUT);
                JobStatsView viaB = clientB.awaitTotals(t -> t.total() == 40, TIMEOUT);
                assertThat(viaB.succeeded()).isEqualTo(viaA.succeeded()).isEqualTo(40);
                for (int m = 0; m < 4; m++) {
                    StatsKey model = StatsKey.model("model-" + m);
                    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(clientA.totals(model).orElseThrow().total()).isEqualTo(10);
                        assertThat(clientB.totals(model).orElseThrow().total()).isEqualTo(10);
                    });
                }
                await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                    List<String> keysA = clientA.allTotals().stream().map(JobStatsView::key).toList();
                    assertThat(keysA).hasSize(7).contains("overall", "model:model-0", "tenant:tenant-1");
                    assertThat(clientB.allTotals()).isEqualTo(clientA.allTotals());
                });
                for (JobResult job : jobs) {
                    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(clientA.jobResult(job.getJobId())).isPresent();
                        assertThat(clientB.jobResult(job.getJobId())).isPresent();
                    });
                }
                double forwardedByA = metersA.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count();
                double forwardedByB = metersB.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count();
                assertThat(forwardedByA).isPositive();
                assertThat(forwardedByB).isPositive();
            }
        }
    }
}
