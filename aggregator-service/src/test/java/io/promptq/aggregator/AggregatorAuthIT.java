package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.config.ConfigSource;
import io.promptq.schema.JobResult;
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

/**
 * Tenant isolation on the aggregator, with two instances so that queries are forwarded to the owner: a tenant's token
 * reads its own jobs (wherever they live) and gets 404 for another tenant's, requests without a known token get 401,
 * and the analysts' read token reads statistics but no jobs.
 */
@PromptqCluster
class AggregatorAuthIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @Test
    void tokensSeeOnlyTheirTenantsJobsAndAnalystsOnlyStatisticsAcrossForwarding(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster);
                HttpClient http = HttpClient.newHttpClient()) {
            cluster.createTopics(4, it.names.results());
            String appId = "agg-auth-" + it.suffix;
            PrometheusMeterRegistry metersA = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PrometheusMeterRegistry metersB = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService a = AggregatorService.start(config(it, appId, tmp.resolve("a")), metersA);
                    AggregatorService b = AggregatorService.start(config(it, appId, tmp.resolve("b")), metersB);
                    AggregatorClient acmeA = AggregatorClient.create(a.url(), HTTP_TIMEOUT, "acme-token");
                    AggregatorClient acmeB = AggregatorClient.create(b.url(), HTTP_TIMEOUT, "acme-token");
                    AggregatorClient globexB = AggregatorClient.create(b.url(), HTTP_TIMEOUT, "globex-token");
                    AggregatorClient analystA = AggregatorClient.create(a.url(), HTTP_TIMEOUT, "analyst-token");
                    AggregatorClient analystB = AggregatorClient.create(b.url(), HTTP_TIMEOUT, "analyst-token")) {
                a.awaitRunning(TIMEOUT);
                b.awaitRunning(TIMEOUT);
                List<JobResult> acmeJobs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    acmeJobs.add(Results.succeeded("auth-acme-" + it.suffix + "-" + i, "m", "acme", Instant.now()));
                }
                it.publish(acmeJobs);

                // the analysts' token reads statistics through either instance (totals/all forwards to the other)
                assertThat(analystA.awaitTotals(t -> t.total() == 12, TIMEOUT).succeeded()).isEqualTo(12);
                await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(
                        () -> assertThat(analystB.allTotals()).isEqualTo(analystA.allTotals()).isNotEmpty());
                // acme's token reads each acme job through both instances (half of them forwarded with its token)
                for (JobResult job : acmeJobs) {
                    await().atMost(TIMEOUT).ignoreExceptions().untilAsserted(() -> {
                        assertThat(acmeA.jobResult(job.getJobId())).hasValueSatisfying(
                                v -> assertThat(v.tenant()).isEqualTo("acme"));
                        assertThat(acmeB.jobResult(job.getJobId())).isPresent();
                    });
                }
                assertThat(metersA.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count()
                        + metersB.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count()).isPositive();

                for (JobResult job : acmeJobs) {
                    String path = "/v1/jobs/" + job.getJobId() + "/result";
                    // another tenant's job is not found (like an unknown one), whichever instance owns it
                    assertThat(globexB.jobResult(job.getJobId())).isEmpty();
                    HttpResponse<String> other = get(http, a, path, "Bearer globex-token");
                    assertThat(other.statusCode()).isEqualTo(404);
                    String unknown = "never-" + job.getJobId();
                    assertThat(other.body()).isEqualTo(get(http, a, "/v1/jobs/" + unknown + "/result", "Bearer globex-token")
                            .body().replace(unknown, job.getJobId()));
                }
                String acmePath = "/v1/jobs/" + acmeJobs.get(0).getJobId() + "/result";
                HttpResponse<String> anonymous = get(http, a, acmePath, null);
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Bearer"));
                assertThat(get(http, b, acmePath, "Bearer guessed").statusCode()).isEqualTo(401);
                assertThat(get(http, b, acmePath, "Basic YWNtZTp4").statusCode()).isEqualTo(401);
                // the analysts' token reads no jobs, the tenants' tokens no statistics, nobody anonymously
                assertThat(get(http, a, acmePath, "Bearer analyst-token").statusCode()).isEqualTo(401);
                assertThat(get(http, a, "/v1/stats/totals", "Bearer acme-token").statusCode()).isEqualTo(401);
                assertThat(get(http, b, "/v1/stats/totals/all", null).statusCode()).isEqualTo(401);
                assertThat(get(http, b, "/v1/stats/windows?scope=overall", null).statusCode()).isEqualTo(401);
                assertThatThrownBy(() -> AggregatorClient.create(a.url().toString()).totals())
                        .isInstanceOfSatisfying(AggregatorClientException.class, e -> assertThat(e.status()).isEqualTo(401));
                // an operator (the console's Jobs view) reads and lists any tenant's jobs, naming the tenant to list
                assertThat(get(http, b, acmePath, "Bearer operator-token").statusCode()).isEqualTo(200);
                HttpResponse<String> listed = get(http, a, "/v1/jobs?tenant=acme&limit=50", "Bearer operator-token");
                assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
                for (JobResult job : acmeJobs) {
                    assertThat(listed.body()).contains(job.getJobId());
                }
                assertThat(get(http, a, "/v1/jobs", "Bearer operator-token").statusCode()).as("tenant required")
                        .isEqualTo(400);
                assertThat(get(http, a, "/v1/stats/totals", "Bearer operator-token").statusCode())
                        .as("an operator also reads statistics").isEqualTo(200);
                // operations need no token
                assertThat(get(http, a, "/health/live", null).statusCode()).isEqualTo(200);
            }
        }
    }

    private static AggregatorConfig config(ItSupport it, String appId, Path stateDir) {
        Map<String, String> env = it.environment(appId, stateDir);
        env.put(AggregatorConfig.AUTH_TOKENS.name(), "acme-token=acme,globex-token=globex");
        env.put(AggregatorConfig.READ_TOKENS.name(), "analyst-token");
        env.put(AggregatorConfig.OPERATOR_TOKENS.name(), "operator-token=ops");
        return AggregatorConfig.from(ConfigSource.of(env));
    }

    private static HttpResponse<String> get(HttpClient http, AggregatorService service, String path, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(HTTP_TIMEOUT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
