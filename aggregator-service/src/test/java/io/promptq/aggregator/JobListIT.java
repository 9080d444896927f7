package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.config.ConfigSource;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/jobs} on a real broker and registry: jobs of two tenants in every kind of state, written to the
 * status and results topics as submitters and workers do, listed newest first from the job index, filtered,
 * walked page by page with the cursor, through one instance and then through either of two.
 */
@PromptqCluster
class JobListIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(20);
    private static final String[] STATES = {"QUEUED", "RUNNING", "RETRYING", "SUCCEEDED", "DEAD_LETTERED"};

    @TempDir
    Path tmp;

    @Test
    void pagesListATenantsJobsNewestFirstOnceEachWithTheirLatestStateThroughOneOrTwoInstances(ClusterInfo cluster)
            throws Exception {
        try (ItSupport it = new ItSupport(cluster); HttpClient http = HttpClient.newHttpClient()) {
            String appId = "agg-list-" + it.suffix;
            Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
            PrometheusMeterRegistry metersA = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            PrometheusMeterRegistry metersB = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            try (AggregatorService a = AggregatorService.start(it.config(appId, tmp.resolve("a")), metersA);
                    AggregatorClient clientA = AggregatorClient.create(a.url(), HTTP_TIMEOUT, null)) {
                a.awaitRunning(TIMEOUT);
                List<String> acme = publishJobs(it, "acme", 12, t0);
                List<String> globex = publishJobs(it, "globex", 4, t0.plusSeconds(30));
                List<JobSummary> all = awaitAll(clientA, "acme", acme);
                assertListing(clientA, all, acme, t0);
                assertThat(awaitAll(clientA, "globex", globex)).extracting(JobSummary::tenant).containsOnly("globex");

                // bad parameters are 400 naming the parameter; without authentication the tenant is required
                assertProblem(http, a, "/v1/jobs", 400, "tenant");
                assertProblem(http, a, "/v1/jobs?tenant=acme&limit=501", 400, "limit");
                assertProblem(http, a, "/v1/jobs?tenant=acme&limit=0", 400, "limit");
                assertProblem(http, a, "/v1/jobs?tenant=acme&status=DONE", 400, "status");
                assertProblem(http, a, "/v1/jobs?tenant=acme&since=yesterday", 400, "since");
                assertProblem(http, a, "/v1/jobs?tenant=acme&cursor=%21%21", 400, "cursor");

                // a second instance takes over some partitions: either one answers the same pages
                try (AggregatorService b = AggregatorService.start(it.config(appId, tmp.resolve("b")), metersB);
                        AggregatorClient clientB = AggregatorClient.create(b.url(), HTTP_TIMEOUT, null)) {
                    b.awaitRunning(TIMEOUT);
                    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
                        assertThat(a.url()).isNotEqualTo(b.url());
                        assertListing(clientA, all, acme, t0);
                        assertListing(clientB, all, acme, t0);
                        assertThat(clientB.jobs("globex", null, null, null, null).orElseThrow().jobs())
                                .extracting(JobSummary::jobId).containsExactlyElementsOf(globex);
                        assertThat(metersA.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count()
                                + metersB.get(AggregatorMetrics.QUERIES_FORWARDED).counter().count()).isPositive();
                    });
                }
            }
        }
    }

    @Test
    void aTokenListsOnlyItsTenantsJobs(ClusterInfo cluster) throws Exception {
        try (ItSupport it = new ItSupport(cluster); HttpClient http = HttpClient.newHttpClient()) {
            Instant t0 = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
            Map<String, String> env = it.environment("agg-list-auth-" + it.suffix, tmp.resolve("auth"));
            env.put(AggregatorConfig.AUTH_TOKENS.name(), "acme-token=acme,globex-token=globex");
            try (AggregatorService a = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                    AggregatorClient acmeClient = AggregatorClient.create(a.url(), HTTP_TIMEOUT, "acme-token");
                    AggregatorClient globexClient = AggregatorClient.create(a.url(), HTTP_TIMEOUT, "globex-token")) {
                a.awaitRunning(TIMEOUT);
                List<String> acme = publishJobs(it, "acme", 5, t0);
                List<String> globex = publishJobs(it, "globex", 5, t0);
                assertThat(awaitAll(acmeClient, null, acme)).extracting(JobSummary::tenant).containsOnly("acme");
                assertThat(awaitAll(globexClient, null, globex)).extracting(JobSummary::tenant).containsOnly("globex");
                // naming the token's own tenant is allowed; naming another is 404 naming tenant, never its jobs
                assertThat(acmeClient.jobs("acme", null, null, null, null).orElseThrow().jobs())
                        .extracting(JobSummary::jobId).containsExactlyElementsOf(acme);
                assertThat(acmeClient.jobs("globex", null, null, null, null)).isEmpty();
                HttpResponse<String> other = get(http, a, "/v1/jobs?tenant=globex", "Bearer acme-token");
                assertThat(other.statusCode()).isEqualTo(404);
                assertThat(other.body()).contains("\"field\":\"tenant\"").doesNotContain(globex.get(0));
                HttpResponse<String> anonymous = get(http, a, "/v1/jobs?tenant=acme", null);
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.body()).doesNotContain(acme.get(0));
                assertThat(get(http, a, "/v1/jobs", "Bearer guessed").statusCode()).isEqualTo(401);
            }
        }
    }

    /**
     * Publishes {@code count} jobs of {@code tenant}, job i submitted at {@code t0 - i min} (the last two at the same
     * time), in state {@code STATES[i % 5]}, with a late repeated QUEUED for the running ones; returns the job ids in
     * listing order (newest first, then by job id).
     */
    private static List<String> publishJobs(ItSupport it, String tenant, int count, Instant t0) {
        List<String> ids = new ArrayList<>();
        List<JobResult> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String jobId = String.format("%s-%s-%02d", tenant, it.suffix, i);
            ids.add(jobId);
            Instant submitted = submittedAt(t0, i, count);
            switch (i % 5) {
                case 0 -> it.publishStates(change(jobId, tenant, JobState.QUEUED, 0, submitted));
                case 1 -> it.publishStates(change(jobId, tenant, JobState.QUEUED, 0, submitted),
                        change(jobId, tenant, JobState.RUNNING, 1, submitted.plusSeconds(1)),
                        change(jobId, tenant, JobState.QUEUED, 0, submitted));
                case 2 -> it.publishStates(change(jobId, tenant, JobState.QUEUED, 0, submitted),
                        change(jobId, tenant, JobState.RUNNING, 1, submitted.plusSeconds(1)),
                        change(jobId, tenant, JobState.RETRYING, 1, submitted.plusSeconds(2)));
                case 3 -> {
                    it.publishStates(change(jobId, tenant, JobState.QUEUED, 0, submitted),
                            change(jobId, tenant, JobState.RUNNING, 1, submitted.plusSeconds(1)));
                    results.add(Results.result(jobId, "gpt", tenant, JobStatus.SUCCEEDED, submitted.plusSeconds(3),
                            3_000, 10, 20, 500));
                }
                default -> results.add(Results.result(jobId, "gpt", tenant, JobStatus.DEAD_LETTERED,
                        submitted.plusSeconds(4), 4_000, 1, 0, 50));
            }
        }
        it.publish(results);
        return ids;
    }

    private static Instant submittedAt(Instant t0, int i, int count) {
        return t0.minus(Duration.ofMinutes(i == count - 1 && count > 1 ? i - 1 : i));
    }

    private static JobStateChange change(String jobId, String tenant, JobState state, int attempt, Instant at) {
        return JobStateChange.newBuilder().setJobId(jobId).setTenant(tenant).setState(state).setAt(at)
                .setAttempt(attempt).setWorkerId(state == JobState.QUEUED ? null : "worker-1")
                .setNextAttemptAt(state == JobState.RETRYING ? at.plusSeconds(5) : null)
                .setErrorClass(state == JobState.RETRYING ? "PROVIDER_5XX" : null).build();
    }

    /** Waits until one page lists exactly {@code ids} in order, each in its final state. */
    private static List<JobSummary> awaitAll(AggregatorClient client, @Nullable String tenant, List<String> ids) {
        return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(
                () -> client.jobs(tenant, null, null, null, 500).orElseThrow().jobs(),
                jobs -> jobs.stream().map(JobSummary::jobId).toList().equals(ids)
                        && jobs.stream().allMatch(j -> j.state().equals(STATES[index(j) % 5])));
    }

    private static int index(JobSummary job) {
        return Integer.parseInt(job.jobId().substring(job.jobId().length() - 2));
    }

    private static void assertListing(AggregatorClient client, List<JobSummary> all, List<String> ids, Instant t0) {
        JobPage page = client.jobs("acme", null, null, null, null).orElseThrow();
        assertThat(page.jobs()).isEqualTo(all);
        assertThat(page.nextCursor()).isNull();
        assertThat(all).extracting(JobSummary::jobId).containsExactlyElementsOf(ids).doesNotHaveDuplicates();
        for (JobSummary job : all) {
            int i = index(job);
            assertThat(job.tenant()).isEqualTo("acme");
            assertThat(job.submittedAt()).isEqualTo(submittedAt(t0, i, ids.size()).toString());
            assertThat(job.model()).isEqualTo(i % 5 >= 3 ? "gpt" : null);
            assertThat(job.completedAt() != null).isEqualTo(i % 5 >= 3);
        }
        // filters: states (any case), since as an instant and as a duration
        assertThat(client.jobs("acme", "succeeded,DEAD_LETTERED", null, null, null).orElseThrow().jobs())
                .extracting(JobSummary::jobId).containsExactly(ids.get(3), ids.get(4), ids.get(8), ids.get(9));
        assertThat(client.jobs("acme", "RUNNING", null, null, null).orElseThrow().jobs())
                .extracting(JobSummary::jobId).containsExactly(ids.get(1), ids.get(6), ids.get(11));
        assertThat(client.jobs("acme", null, t0.minus(Duration.ofMinutes(3)).toString(), null, null).orElseThrow()
                .jobs()).extracting(JobSummary::jobId).containsExactlyElementsOf(ids.subList(0, 4));
        assertThat(client.jobs("acme", null, "2h", null, null).orElseThrow().jobs()).hasSize(ids.size());
        assertThat(client.jobs("acme", null, "1m", null, null).orElseThrow().jobs()).isEmpty();
        // the cursor walks every job exactly once, also with a filter
        assertThat(walk(client, null, 5, List.of(5, 5, 2))).isEqualTo(all);
        assertThat(walk(client, null, 4, List.of(4, 4, 4))).isEqualTo(all);
        assertThat(walk(client, "QUEUED,RUNNING,RETRYING", 3, List.of(3, 3, 2))).extracting(JobSummary::jobId)
                .containsExactly(ids.get(0), ids.get(1), ids.get(2), ids.get(5), ids.get(6), ids.get(7), ids.get(10),
                        ids.get(11));
    }

    private static List<JobSummary> walk(AggregatorClient client, @Nullable String status, int limit,
            List<Integer> pageSizes) {
        List<JobSummary> seen = new ArrayList<>();
        Set<String> cursors = new HashSet<>();
        String cursor = null;
        List<Integer> sizes = new ArrayList<>();
        do {
            JobPage page = client.jobs("acme", status, null, cursor, limit).orElseThrow();
            sizes.add(page.jobs().size());
            seen.addAll(page.jobs());
            cursor = page.nextCursor();
            assertThat(cursor == null || cursors.add(cursor)).as("a cursor is never repeated").isTrue();
        } while (cursor != null && sizes.size() < 20);
        assertThat(sizes).isEqualTo(pageSizes);
        return seen;
    }

    private static void assertProblem(HttpClient http, AggregatorService service, String path, int status, String field)
            throws Exception {
        HttpResponse<String> response = get(http, service, path, null);
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(response.body()).as(path).contains("\"field\":\"" + field + "\"");
    }

    private static HttpResponse<String> get(HttpClient http, AggregatorService service, String path,
            @Nullable String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(HTTP_TIMEOUT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
