package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.kafka.internal.CommitMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A job whose provider call kills its worker, on the real broker: each incarnation of the worker (same worker id,
 * as a restarted replica) crashes while the job is in its call, and the next one starts from what was committed.
 * Each commit carries the job's start count in the offset metadata; once the job was started
 * {@code PROMPTQ_WORKER_MAX_CRASH_STARTS} times, the next owner dead-letters it as {@code CRASH_LOOP} without
 * calling the provider. The jobs behind it, finished by the first incarnation, are never run again.
 *
 * <p>The bound on provider calls is N (the max crash starts) plus one for every crash that came within a commit
 * interval of the job's start: a start is counted in the next commit (every {@value #COMMIT_INTERVAL}), and a
 * start not committed when the worker died is not counted. Here each crash waits until the start is committed
 * (a provider call that kills its worker - an out-of-memory on a huge response - takes longer than a commit
 * interval), so the job is called exactly N times. The worker JVM kill itself is the chaos harness's part
 * ({@code io.promptq.testkit.JvmProcess}); an in-process crash leaves the same committed state.
 */
@PromptqCluster
class CrashLoopIT {

    private static final int MAX_CRASH_STARTS = 2;
    private static final String COMMIT_INTERVAL = "50ms";
    private static final int BEHIND = 5;

    @Test
    void jobThatKillsItsWorkerEveryTimeIsDeadLetteredAsACrashLoopAfterBoundedProviderCalls(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "crash-loop", 1, 1)) {
            String killer = "killer";
            assertThat(kit.send(WorkerItKit.job(killer), 0).offset()).isZero();
            List<String> others = new ArrayList<>();
            List<Long> behind = new ArrayList<>();
            for (int i = 0; i < BEHIND; i++) {
                others.add("job-" + i);
                behind.add(kit.send(WorkerItKit.job("job-" + i), 0).offset());
            }
            Map<String, String> env = Map.of(WorkerConfig.MAX_CRASH_STARTS.name(), String.valueOf(MAX_CRASH_STARTS),
                    WorkerConfig.COMMIT_INTERVAL.name(), COMMIT_INTERVAL,
                    WorkerConfig.PARTITION_CONCURRENCY.name(), "4");
            TopicPartition tp = new TopicPartition(kit.names.jobs(), 0);
            CountDownLatch killingCall = new CountDownLatch(1);
            List<ItProvider> providers = new ArrayList<>();

            for (int incarnation = 0; incarnation < MAX_CRASH_STARTS; incarnation++) {
                ItProvider provider = new ItProvider((request, attempt) -> {
                    if (request.jobId().equals(killer)) {
                        killingCall.await(); // the worker dies in this call
                    }
                    return ItProvider.ok(request, Duration.ZERO);
                });
                providers.add(provider);
                WorkerService worker = kit.start("worker", env, provider);
                int starts = incarnation + 1;
                await().atMost(Duration.ofSeconds(60)).until(() -> provider.callStarts.containsKey(killer));
                // Crash once its start and the jobs behind it are committed (those must never run again).
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    OffsetAndMetadata c = kit.committedWithMetadata().get(tp);
                    return c != null && c.offset() == 0 && CommitMetadata.starts(c).getOrDefault(0L, 0) == starts
                            && CommitMetadata.finished(c).equals(behind);
                });
                worker.crash();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().hasAll(others));

            ItProvider last = ItProvider.withLatency(Duration.ZERO);
            providers.add(last);
            kit.start("worker", env, last);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().results.containsKey(killer));
            await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(BEHIND + 1).equals(kit.committed().get(tp)));
            Thread.sleep(500); // a late duplicate would show up by now
            killingCall.countDown();

            assertThat(providers.stream().mapToInt(p -> calls(p, killer)).sum())
                    .as("provider calls of the job that kills its worker").isEqualTo(MAX_CRASH_STARTS);
            assertThat(calls(last, killer)).as("no call once it is a crash loop").isZero();
            assertThat(kit.outcomes().results.get(killer)).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(JobStatus.DEAD_LETTERED);
                assertThat(r.getError().getType()).isEqualTo("CRASH_LOOP");
            });
            assertThat(kit.outcomes().deadLetters).singleElement().satisfies(l -> {
                assertThat(l.letter().getJobId()).isEqualTo(killer);
                assertThat(l.letter().getErrorType()).isEqualTo("CRASH_LOOP");
            });
            for (String id : others) {
                assertThat(kit.outcomes().results.get(id)).as("results of " + id).singleElement()
                        .extracting(JobResult::getStatus).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(providers.stream().mapToInt(p -> calls(p, id)).sum()).as("provider calls of " + id)
                        .isEqualTo(1);
            }
        }
    }

    private static int calls(ItProvider provider, String id) {
        List<Long> starts = provider.callStarts.get(id);
        return starts == null ? 0 : starts.size();
    }
}
