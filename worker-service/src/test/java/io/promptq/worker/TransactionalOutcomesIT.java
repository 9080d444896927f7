package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmResponse;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * Outcomes and offsets in one transaction, on the real broker, read back with {@code read_committed}: a crashed
 * worker's outcomes never appear, a refused record aborts its transaction and only the fallback becomes visible,
 * and a rebalance mid-run leaves exactly one outcome chain per job.
 */
@PromptqCluster
class TransactionalOutcomesIT {

    @Test
    void crashedWorkersUncommittedOutcomesNeverBecomeVisibleAndTheRestartedWorkerWritesExactlyOnePerJob(
            ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "txn-crash", 2, 1)) {
            List<String> ids = kit.sendJobs("job", 30);
            ItProvider first = ItProvider.withLatency(Duration.ofMillis(5));
            WorkerService doomed = kit.start("doomed", Map.of(WorkerConfig.COMMIT_INTERVAL.name(), "10m"), first);
            await().atMost(Duration.ofSeconds(60)).until(() -> first.callStarts.keySet().containsAll(ids));

            doomed.crash();

            Thread.sleep(1_000);
            assertThat(kit.outcomes().results).as("nothing of the crashed worker is visible").isEmpty();
            assertThat(kit.outcomes().deadLetters).isEmpty();
            ItProvider second = ItProvider.withLatency(Duration.ofMillis(5));
            kit.start("phoenix", Map.of(), second);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));
            Thread.sleep(500); // a late duplicate would show up by now
            for (String id : ids) {
                assertThat(kit.outcomes().results.get(id)).as(id).singleElement()
                        .satisfies(r -> assertThat(r.getWorkerId()).isEqualTo("phoenix"));
                assertThat(second.callStarts.get(id)).as("provider calls of " + id).hasSize(1);
            }
        }
    }

    @Test
    void recordTheBrokerRefusesAbortsItsTransactionAndOnlyTheFallbackBecomesVisible(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "txn-refused", 1, 1)) {
            ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, kit.names.results());
            cluster.admin().incrementalAlterConfigs(Map.of(results, List.of(new AlterConfigOp(
                    new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "16384"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            List<String> ids = kit.sendJobs("job", 10);
            String big = ids.get(4);
            ItProvider provider = new ItProvider((request, attempt) -> request.jobId().equals(big)
                    ? new LlmResponse("x".repeat(40_000), "stop", 10, 10_000)
                    : ItProvider.ok(request, Duration.ofMillis(5)));
            kit.start("w", Map.of(WorkerConfig.COMMIT_INTERVAL.name(), "2s"), provider);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));
            Thread.sleep(500);

            for (String id : ids) {
                assertThat(kit.outcomes().results.get(id)).as(id).hasSize(1);
            }
            JobResult bigResult = kit.outcomes().result(big);
            assertThat(bigResult.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
            assertThat(bigResult.getError().getType()).isEqualTo("PUBLISH_FAILED");
            assertThat(kit.outcomes().deadLetters).singleElement()
                    .satisfies(l -> assertThat(l.letter().getJobId()).isEqualTo(big));
            assertThat(provider.callStarts.get(big)).as("the refused job is not run again").hasSize(1);
            assertThat(provider.calls.get()).as("no job ran twice").isEqualTo(ids.size());
        }
    }

    @Test
    void rebalanceMidRunLeavesExactlyOneOutcomeChainPerJob(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "txn-rebalance", 6, 1)) {
            List<String> ids = new ArrayList<>();
            ids.addAll(kit.sendJobs("job", 200));
            ids.addAll(kit.sendJobs("flaky", 40));
            ids.addAll(kit.sendJobs("bad", 20));
            ItProvider.Script script = (request, attempt) -> {
                if (request.jobId().startsWith("bad-")) {
                    throw ItProvider.failure(ErrorClass.INVALID_REQUEST);
                }
                if (request.jobId().startsWith("flaky-") && attempt == 1) {
                    throw ItProvider.failure(ErrorClass.SERVER_ERROR);
                }
                return ItProvider.ok(request, Duration.ofMillis(150));
            };
            // Retries due at once: the tier runs in offset order (records finishing above a running one are left to
            // the offset metadata of issue 11, item 2).
            Map<String, String> env = Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "1",
                    WorkerConfig.RETRY_DELAYS.name(), "0s", WorkerConfig.COMMIT_INTERVAL.name(), "100ms");
            ItProvider firstProvider = new ItProvider(script);
            ItProvider secondProvider = new ItProvider(script);
            kit.start("first", env, firstProvider);
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().distinct() >= 20);

            kit.start("second", env, secondProvider);

            await().atMost(Duration.ofSeconds(120)).until(() -> kit.outcomes().hasAll(ids));
            Thread.sleep(1_000); // a late duplicate would show up by now
            assertThat(secondProvider.calls.get()).as("the second worker took part").isPositive();
            Map<String, Integer> letters = new HashMap<>();
            kit.outcomes().deadLetters.forEach(l -> letters.merge(l.letter().getJobId(), 1, Integer::sum));
            Map<String, Integer> retries = new HashMap<>();
            kit.outcomes().retries.forEach(r -> retries.merge(r.retry().getJob().getJobId(), 1, Integer::sum));
            for (String id : ids) {
                List<JobResult> results = kit.outcomes().results.get(id);
                assertThat(results).as("results of " + id).hasSize(1);
                JobStatus status = results.getFirst().getStatus();
                if (id.startsWith("bad-")) {
                    assertThat(status).as(id).isEqualTo(JobStatus.DEAD_LETTERED);
                    assertThat(letters.get(id)).as("dead letters of " + id).isEqualTo(1);
                } else {
                    assertThat(status).as(id).isEqualTo(JobStatus.SUCCEEDED);
                    assertThat(letters).as("dead letters of " + id).doesNotContainKey(id);
                }
                assertThat(retries.getOrDefault(id, 0)).as("retry records of " + id)
                        .isEqualTo(id.startsWith("flaky-") ? 1 : 0);
            }
        }
    }
}
