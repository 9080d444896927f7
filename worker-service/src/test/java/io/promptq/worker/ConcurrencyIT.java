package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Bounded concurrency against the real broker: K per partition, the worker cap, pausing a saturated partition. */
@PromptqCluster
class ConcurrencyIT {

    @Test
    void noPartitionExceedsKAndTheWorkerNeverExceedsItsCap(ClusterInfo cluster) {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "concurrency", 4, 1)) {
            Map<String, Integer> partitionOf = new ConcurrentHashMap<>();
            ItProvider provider = ItProvider.withLatency(Duration.ofMillis(40)).groupBy(partitionOf::get);
            List<String> ids = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                for (int i = 0; i < 40; i++) {
                    String id = "p" + p + "-" + i;
                    partitionOf.put(id, p);
                    kit.send(WorkerItKit.job(id), p);
                    ids.add(id);
                }
            }

            kit.start("w1", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "3", WorkerConfig.MAX_IN_FLIGHT.name(), "8"), provider);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));
            assertThat(ids).allSatisfy(id -> assertThat(kit.outcomes().result(id).getStatus()).isEqualTo(JobStatus.SUCCEEDED));
            for (int p = 0; p < 4; p++) {
                assertThat(provider.maxRunningIn(p)).as("peak concurrency of partition %d", p).isBetween(1, 3);
            }
            assertThat(provider.maxRunning.get()).as("peak concurrency of the worker").isBetween(3, 8);
        }
    }

    @Test
    void saturatedPartitionIsPausedWhileTheOthersKeepFlowing(ClusterInfo cluster) {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "saturated", 3, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger blockedNow = new AtomicInteger();
            AtomicInteger maxBlocked = new AtomicInteger();
            ItProvider provider = new ItProvider((request, attempt) -> {
                if (request.jobId().startsWith("stuck")) {
                    maxBlocked.accumulateAndGet(blockedNow.incrementAndGet(), Math::max);
                    try {
                        release.await();
                    } finally {
                        blockedNow.decrementAndGet();
                    }
                }
                return ItProvider.ok(request, Duration.ofMillis(10));
            });
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                kit.send(WorkerItKit.job("stuck-" + i), 0);
                stuck.add("stuck-" + i);
            }
            List<String> flowing = new ArrayList<>();
            for (int p = 1; p < 3; p++) {
                for (int i = 0; i < 30; i++) {
                    kit.send(WorkerItKit.job("flow-" + p + "-" + i), p);
                    flowing.add("flow-" + p + "-" + i);
                }
            }

            WorkerService worker = kit.start("w1", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "2",
                    WorkerConfig.MAX_IN_FLIGHT.name(), "20", WorkerConfig.BUFFER_PER_PARTITION.name(), "2"), provider);

            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(flowing));
            assertThat(blockedNow.get()).as("stuck jobs running: %s", provider.callStarts).isEqualTo(2);
            assertThat(maxBlocked.get()).as("peak of stuck jobs running at once").isEqualTo(2);
            assertThat(stuck).noneMatch(kit.outcomes().results::containsKey);
            assertThat(worker.stats().pausedPartitions()).isGreaterThanOrEqualTo(1);
            assertThat(worker.stats().inFlight()).isEqualTo(2);

            release.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().hasAll(stuck));
            assertThat(provider.maxRunningIn("all")).isLessThanOrEqualTo(20);
        }
    }
}
