package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.ProviderException;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.RetryJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.kafka.WorkerHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retry tiers against the real broker, with one worker (tiers 1s,2s; 4 attempts; breaker off) and jobs whose
 * provider behaviour is scripted by their id.
 */
@PromptqCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetryIT {

    private static final Logger log = LoggerFactory.getLogger(RetryIT.class);
    private static final int MAX_ATTEMPTS = 4;

    private WorkerItKit kit;
    private ItProvider provider;
    private final List<String> flaky = new ArrayList<>();
    private final List<String> doomed = new ArrayList<>();
    private final List<String> permanent = new ArrayList<>();
    private final List<String> parked = new ArrayList<>();

    @BeforeAll
    void startWorkerAndProduceJobs(ClusterInfo cluster) {
        kit = WorkerItKit.create(cluster, "retry", 2, 2);
        provider = new ItProvider((request, attempt) -> {
            String id = request.jobId();
            if (id.startsWith("flaky") && attempt <= 2) {
                throw ItProvider.failure(ErrorClass.SERVER_ERROR);
            }
            if (id.startsWith("doomed")) {
                throw ItProvider.failure(ErrorClass.SERVER_ERROR);
            }
            if (id.startsWith("perm")) {
                throw ItProvider.failure(ErrorClass.INVALID_REQUEST);
            }
            if (id.startsWith("throttled") && attempt == 1) {
                throw new ProviderException(ErrorClass.RATE_LIMITED, "slow down", 429, Duration.ofSeconds(2), null);
            }
            if (id.startsWith("parked") && attempt == 1) {
                throw new ProviderException(ErrorClass.RATE_LIMITED, "come back later", 429, Duration.ofSeconds(60), null);
            }
            return ItProvider.ok(request, Duration.ofMillis(20));
        });
        start(provider);
        for (int i = 0; i < 6; i++) {
            parked.addAll(kit.sendJobs("parked" + i, 1));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().retries.size() >= 6);
        flaky.addAll(kit.sendJobs("flaky", 12));
        doomed.addAll(kit.sendJobs("doomed", 3));
        permanent.addAll(kit.sendJobs("perm", 3));
    }

    private void start(LlmProvider p) {
        kit.start("retry-worker", Map.of(
                WorkerConfig.RETRY_DELAYS.name(), "1s,2s",
                WorkerConfig.MAX_ATTEMPTS.name(), Integer.toString(MAX_ATTEMPTS),
                WorkerConfig.PARTITION_CONCURRENCY.name(), "5",
                "PROMPTQ_LLM_BREAKER_ENABLED", "false"), p);
    }

    @AfterAll
    void stop() {
        if (kit != null) {
            kit.close();
        }
    }

    @Test
    void retriesStartNeverBeforeTheirDueTimeAndLessThanASecondAfterIt() {
        await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(flaky));
        List<Long> lateness = new ArrayList<>();
        for (WorkerItKit.Retry r : kit.outcomes().retries) {
            RetryJob retry = r.retry();
            String id = retry.getJob().getJobId();
            if (!id.startsWith("flaky") && !id.startsWith("doomed")) {
                continue;
            }
            List<Long> starts = provider.callStarts.get(id);
            if (starts.size() <= retry.getAttempts()) {
                continue; // the doomed job's last retry may still be pending
            }
            long startedAt = starts.get(retry.getAttempts());
            long late = startedAt - retry.getDueAt().toEpochMilli();
            lateness.add(late);
            assertThat(late).as("%s attempt %d started %d ms after its due time", id, retry.getAttempts() + 1, late)
                    .isGreaterThanOrEqualTo(0).isLessThan(1_000);
        }
        log.info("Retry lateness over {} retries (ms): max {}, all {}", lateness.size(),
                lateness.stream().mapToLong(Long::longValue).max().orElse(-1), lateness);
        assertThat(lateness).hasSizeGreaterThanOrEqualTo(2 * flaky.size());
    }

    @Test
    void transientFailuresClimbTheTiersAndSucceedWithTheirHistory() {
        await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(flaky));
        for (String id : flaky) {
            JobResult r = kit.outcomes().result(id);
            assertThat(r.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(r.getAttempts()).isEqualTo(3);
            assertThat(r.getAttemptDurationsMs()).hasSize(3);
            assertThat(r.getProviderMs()).isEqualTo(r.getAttemptDurationsMs().stream().mapToLong(Long::longValue).sum());
            assertThat(r.getEndToEndMs()).isGreaterThanOrEqualTo(r.getQueueWaitMs() + r.getProviderMs());
        }
        List<Integer> tiers = kit.outcomes().retries.stream()
                .filter(r -> r.retry().getJob().getJobId().startsWith("flaky"))
                .map(r -> r.retry().getTier()).toList();
        assertThat(tiers).containsOnly(0, 1).contains(0, 1).hasSize(2 * flaky.size());
    }

    @Test
    void jobIsDeadLetteredAfterMaxAttemptsWithAttemptsAndLastError() {
        await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(doomed));
        for (String id : doomed) {
            JobResult r = kit.outcomes().result(id);
            assertThat(r.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
            assertThat(r.getAttempts()).isEqualTo(MAX_ATTEMPTS);
            assertThat(r.getError().getType()).isEqualTo("SERVER_ERROR");
            DeadLetter letter = letter(id);
            assertThat(letter.getAttempts()).isEqualTo(MAX_ATTEMPTS);
            assertThat(letter.getErrorType()).isEqualTo("SERVER_ERROR");
            assertThat(letter.getErrorMessage()).startsWith("gave up after " + MAX_ATTEMPTS + " attempts");
            assertThat(letter.getJob().getJobId()).isEqualTo(id);
            assertThat(letter.getOriginTopic()).isEqualTo(kit.names.jobs());
        }
    }

    @Test
    void permanentErrorIsDeadLetteredAfterOneAttempt() {
        await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().hasAll(permanent));
        for (String id : permanent) {
            assertThat(kit.outcomes().result(id).getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
            assertThat(kit.outcomes().result(id).getAttempts()).isEqualTo(1);
            DeadLetter letter = letter(id);
            assertThat(letter.getAttempts()).isEqualTo(1);
            assertThat(letter.getErrorType()).isEqualTo("INVALID_REQUEST");
            assertThat(reason(id)).isEqualTo("PERMANENT_ERROR");
        }
    }

    @Test
    void retryAfterIsHonouredAsAFloor() {
        List<String> throttled = kit.sendJobs("throttled", 3);
        await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().hasAll(throttled));
        for (String id : throttled) {
            List<Long> starts = provider.callStarts.get(id);
            assertThat(starts).hasSize(2);
            assertThat(starts.get(1) - starts.get(0)).as("wait before the retry of %s", id).isGreaterThanOrEqualTo(2_000);
            assertThat(kit.outcomes().result(id).getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        }
    }

    @Test
    void retriesWaitingForTheirDueTimeDelayNeitherNewJobsNorDueRetries() {
        List<String> fresh = kit.sendJobs("fresh", 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().hasAll(fresh));
        for (String id : fresh) {
            assertThat(kit.outcomes().result(id).getEndToEndMs()).as("end to end of %s", id).isLessThan(2_000);
        }
        assertThat(parked).noneMatch(kit.outcomes().results::containsKey);
        assertThat(kit.outcomes().retries).filteredOn(r -> r.retry().getJob().getJobId().startsWith("parked"))
                .allSatisfy(r -> assertThat(r.topic()).isEqualTo(kit.names.retry(1)));
    }

    private DeadLetter letter(String id) {
        return kit.outcomes().deadLetters.stream().map(WorkerItKit.Letter::letter)
                .filter(l -> id.equals(l.getJobId())).findFirst().orElseThrow();
    }

    private String reason(String id) {
        return kit.outcomes().deadLetters.stream().filter(l -> id.equals(l.letter().getJobId()))
                .map(l -> new String(l.headers().lastHeader(WorkerHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                .findFirst().orElseThrow();
    }
}
