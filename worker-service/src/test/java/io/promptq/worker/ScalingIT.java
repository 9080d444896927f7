package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 5,000 jobs while the group scales 1 → 3 → 1 workers in one JVM (KIP-848 protocol): every job gets a terminal
 * result, and duplicates are limited to jobs that were running when their partition was revoked.
 */
@PromptqCluster
class ScalingIT {

    private static final Logger log = LoggerFactory.getLogger(ScalingIT.class);
    private static final int JOBS = 5_000;

    @Test
    void everyJobHasATerminalResultWhileScalingOneThreeOne(ClusterInfo cluster) {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "scaling", 6, 1)) {
            ItProvider provider = ItProvider.withLatency(Duration.ofMillis(60));
            Map<String, String> settings = Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "4", WorkerConfig.REVOKE_TIMEOUT.name(), "5s");
            List<String> ids = kit.sendJobs("scale", JOBS);
            long start = System.nanoTime();

            WorkerService w1 = kit.start("w1", settings, provider);
            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().distinct() >= 300);
            WorkerService w2 = kit.start("w2", settings, provider);
            WorkerService w3 = kit.start("w3", settings, provider);
            // The range assignor spreads every topic over the members: each new worker gets jobs partitions.
            await().atMost(Duration.ofSeconds(60)).until(() -> w2.stats().completed() >= 50 && w3.stats().completed() >= 50);
            log.info("Scaled out after {} ms: {} results", (System.nanoTime() - start) / 1_000_000, kit.outcomes().distinct());
            w2.close();
            w3.close();
            log.info("Scaled in after {} ms: {} results", (System.nanoTime() - start) / 1_000_000, kit.outcomes().distinct());

            await().atMost(Duration.ofSeconds(120)).until(() -> kit.outcomes().hasAll(ids));
            long elapsed = (System.nanoTime() - start) / 1_000_000;

            assertThat(kit.outcomes().distinct()).isEqualTo(JOBS);
            assertThat(ids).allSatisfy(id -> assertThat(kit.outcomes().result(id).getStatus()).isEqualTo(JobStatus.SUCCEEDED));
            long duplicates = kit.outcomes().total() - JOBS;
            long abandoned = w1.stats().abandoned() + w2.stats().abandoned() + w3.stats().abandoned();
            log.info("{} jobs in {} ms over 1 -> 3 -> 1 workers: {} duplicate results, {} jobs abandoned at revocations; "
                    + "completed by w1={}, w2={}, w3={}", JOBS, elapsed, duplicates, abandoned, w1.stats().completed(),
                    w2.stats().completed(), w3.stats().completed());
            assertThat(duplicates).as("duplicates only for jobs running at a revocation").isLessThanOrEqualTo(abandoned);
            List<Long> completedAt = kit.outcomes().results.values().stream().flatMap(List::stream)
                    .map(r -> r.getCompletedAt().toEpochMilli()).sorted().toList();
            long maxGap = 0;
            for (int i = 1; i < completedAt.size(); i++) {
                maxGap = Math.max(maxGap, completedAt.get(i) - completedAt.get(i - 1));
            }
            // A moved partition waits for its new owner's next heartbeat (KIP-848, broker default 5 s), but partitions
            // that stay keep flowing: results never stop for long.
            log.info("Longest pause between two results: {} ms", maxGap);
            assertThat(maxGap).as("incremental rebalancing does not stop the other partitions").isLessThan(3_000);
            assertThat(w2.stats().completed()).isPositive();
            assertThat(w3.stats().completed()).isPositive();
            for (List<JobResult> results : kit.outcomes().results.values()) {
                if (results.size() > 1) {
                    log.info("duplicate: {} by {}", results.get(0).getJobId(), results.stream().map(JobResult::getWorkerId).toList());
                }
            }
        }
    }
}
