package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.metrics.WorkerMetricNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The rebalance test, on the real broker: a job is stuck in a long provider call at the head of its
 * partition (a latch, released at the end, stands for the 60 s call), the 1,000 records behind it finish, and a
 * second worker joins the group. The commit position stays at the stuck job, but the commit's metadata names the
 * finished records, so the partition's new owner skips them: no finished job calls the provider twice, and every
 * job has exactly one committed result.
 *
 * <p>Two partitions, each with a stuck job followed by 1,000 jobs: with cooperative-sticky assignment the joining
 * worker takes exactly one of them, and either one proves it. The first worker waits a short revoke timeout for
 * the stuck job, commits and abandons it; the new owner runs it again - the only second call allowed, since its
 * call was in flight when the partition moved.
 */
@PromptqCluster
class FinishedRecordsAreNotRerunIT {

    private static final int PARTITIONS = 2;
    private static final int BEHIND = 1_000;

    @Test
    void finishedRecordsBehindAStuckJobAreNotRunAgainWhenTheirPartitionMoves(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "not-rerun", PARTITIONS, 1)) {
            List<String> stuck = new ArrayList<>();
            List<String> finished = new ArrayList<>();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                stuck.add(send(kit, "stuck-" + p, p, acks));
                for (int i = 0; i < BEHIND; i++) {
                    finished.add(send(kit, "job-" + p + "-" + i, p, acks));
                }
            }
            kit.producer().flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            CountDownLatch longCall = new CountDownLatch(1);
            ItProvider firstProvider = new ItProvider((request, attempt) -> {
                if (request.jobId().startsWith("stuck-")) {
                    longCall.await();
                }
                return ItProvider.ok(request, Duration.ZERO);
            });
            ItProvider secondProvider = ItProvider.withLatency(Duration.ZERO);
            Map<String, String> env = Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "16",
                    WorkerConfig.COMMIT_INTERVAL.name(), "100ms", WorkerConfig.REVOKE_TIMEOUT.name(), "1s");
            WorkerService first = kit.start("first", env, firstProvider);
            await().atMost(Duration.ofSeconds(120)).until(() -> kit.outcomes().hasAll(finished));
            assertThat(firstProvider.callStarts.keySet()).containsAll(stuck);
            assertThat(kit.committed().values()).as("the stuck jobs pin the commit positions").containsOnly(0L);

            WorkerService second = kit.start("second", env, secondProvider);

            await().atMost(Duration.ofSeconds(60)).until(() -> secondProvider.callStarts.keySet().stream()
                    .anyMatch(stuck::contains));
            longCall.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(stuck));
            Thread.sleep(1_000); // a late duplicate would show up by now

            assertThat(skippedFinished(kit, second)).as("records the new owner skipped").isGreaterThanOrEqualTo(BEHIND);
            assertThat(secondProvider.callStarts.keySet()).as("the new owner called only the stuck job")
                    .hasSize(1).allMatch(stuck::contains);
            for (String id : finished) {
                assertThat(calls(firstProvider, id) + calls(secondProvider, id)).as("provider calls of " + id)
                        .isEqualTo(1);
            }
            assertThat(stuck.stream().mapToInt(id -> calls(firstProvider, id) + calls(secondProvider, id)).sum())
                    .as("the stuck jobs: one call each, and one more for the one in flight when its partition moved")
                    .isEqualTo(PARTITIONS + 1);
            List<String> all = new ArrayList<>(finished);
            all.addAll(stuck);
            for (String id : all) {
                assertThat(kit.outcomes().results.get(id)).as("committed results of " + id).singleElement()
                        .extracting(JobResult::getStatus).isEqualTo(JobStatus.SUCCEEDED);
            }
            assertThat(first.stats().abandoned()).as("the stuck job of the moved partition").isEqualTo(1);
        }
    }

    private static String send(WorkerItKit kit, String id, int partition, List<Future<RecordMetadata>> acks) {
        PromptJob job = WorkerItKit.job(id);
        acks.add(kit.producer().send(new ProducerRecord<>(kit.names.jobs(), partition, id, job)));
        return id;
    }

    private static int calls(ItProvider provider, String id) {
        List<Long> starts = provider.callStarts.get(id);
        return starts == null ? 0 : starts.size();
    }

    private static double skippedFinished(WorkerItKit kit, WorkerService worker) {
        FunctionCounter c = kit.meters(worker).find(WorkerMetricNames.RECORDS_SKIPPED_FINISHED).functionCounter();
        return c == null ? -1 : c.count();
    }
}
