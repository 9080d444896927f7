package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A worker dies (in-process crash: poll thread stopped, no final commit, producer closed without flushing) while
 * the job at offset n is still running and later offsets are finished: the restarted worker processes job n - and
 * only job n, since the commit's metadata named the later ones finished - no job is lost, and the committed offset
 * never passed n before the crash.
 */
@PromptqCluster
class CrashRecoveryIT {

    private static final int JOBS = 20;
    private static final int SLOW_OFFSET = 3;

    @Test
    void slowJobAtOffsetNIsProcessedAfterACrashAndCommitsNeverPassedIt(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "crash", 1, 1)) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String id = (i == SLOW_OFFSET ? "slow-" : "job-") + i;
                assertThat(kit.send(WorkerItKit.job(id), 0).offset()).isEqualTo(i);
                ids.add(id);
            }
            CountDownLatch never = new CountDownLatch(1);
            ItProvider first = new ItProvider((request, attempt) -> {
                if (request.jobId().startsWith("slow-")) {
                    never.await();
                }
                return ItProvider.ok(request, Duration.ofMillis(5));
            });
            WorkerService doomed = kit.start("doomed", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "5",
                    WorkerConfig.COMMIT_INTERVAL.name(), "50ms"), first);

            TopicPartition tp = new TopicPartition(kit.names.jobs(), 0);
            AtomicLong highestCommitted = new AtomicLong(-1);
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (watching.get()) {
                    Long c = kit.committed().get(tp);
                    if (c != null) {
                        highestCommitted.accumulateAndGet(c, Math::max);
                    }
                    sleep(20);
                }
            });

            List<String> others = ids.stream().filter(id -> !id.startsWith("slow-")).toList();
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(others));
            await().atMost(Duration.ofSeconds(10)).until(() -> highestCommitted.get() == SLOW_OFFSET);
            Thread.sleep(500); // many commit intervals with later offsets finished

            doomed.crash();
            watching.set(false);
            watcher.join();

            assertThat(highestCommitted.get()).as("committed offset before the crash").isEqualTo(SLOW_OFFSET);
            assertThat(kit.committed().get(tp)).isEqualTo(SLOW_OFFSET);
            assertThat(kit.outcomes().results).doesNotContainKey("slow-" + SLOW_OFFSET);

            ItProvider second = ItProvider.withLatency(Duration.ofMillis(5));
            kit.start("phoenix", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "5"), second);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));
            assertThat(second.callStarts.keySet()).as("redelivered from the committed offset on, finished jobs skipped")
                    .containsExactly("slow-" + SLOW_OFFSET);
            await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(JOBS).equals(kit.committed().get(tp)));
            never.countDown();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
