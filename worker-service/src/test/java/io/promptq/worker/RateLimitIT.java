package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.kafka.PauseReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A provider rate limit (RPS in ResilientLlm) makes jobs wait and intake slow down; no job fails. */
@PromptqCluster
class RateLimitIT {

    private static final Logger log = LoggerFactory.getLogger(RateLimitIT.class);
    private static final double RPS = 20;
    private static final int JOBS = 160;

    @Test
    void measuredRequestRateStaysWithinTheLimitAndNoJobFails(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "ratelimit", 6, 1)) {
            ItProvider provider = ItProvider.withLatency(Duration.ofMillis(20));
            List<String> ids = kit.sendJobs("rl", JOBS);

            WorkerService worker = kit.start("w1", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "10",
                    "PROMPTQ_LLM_RATE_LIMIT_RPS", Double.toString(RPS)), provider);

            AtomicInteger maxRateLimited = new AtomicInteger();
            while (!kit.outcomes().hasAll(ids)) {
                maxRateLimited.accumulateAndGet(kit.paused(worker, PauseReason.RATE_LIMIT), Math::max);
                Thread.sleep(100);
                assertThat(kit.outcomes().distinct()).as("no progress").isLessThanOrEqualTo(JOBS);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));

            List<Long> starts = provider.callStarts.values().stream().flatMap(List::stream).sorted().toList();
            double seconds = (starts.get(starts.size() - 1) - starts.get(0)) / 1000.0;
            double rate = (starts.size() - 1) / seconds;
            log.info("{} calls in {} s: {} requests/s against a limit of {} rps; up to {} partitions paused for the rate limit",
                    starts.size(), seconds, String.format("%.2f", rate), RPS, maxRateLimited.get());

            assertThat(starts).hasSize(JOBS);
            assertThat(rate).isBetween(RPS * 0.9, RPS * 1.1);
            assertThat(ids).allSatisfy(id -> assertThat(kit.outcomes().result(id).getStatus()).isEqualTo(JobStatus.SUCCEEDED));
            assertThat(worker.stats().retriesScheduled()).isZero();
            assertThat(maxRateLimited.get()).as("partitions paused while calls wait for the rate limit").isPositive();
        }
    }
}
