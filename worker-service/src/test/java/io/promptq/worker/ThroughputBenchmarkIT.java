package io.promptq.worker;

import static org.awaitility.Awaitility.await;

import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import io.promptq.schema.JobResult;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Benchmark, run by hand ({@code -Dpromptq.bench=true -Dit.test=ThroughputBenchmarkIT}): throughput of one worker
 * against the simulated provider at a fixed 200 ms latency, compared with its bound min(partitions x K, cap) / 0.2 s.
 * Reports numbers only; it asserts nothing about time.
 */
@PromptqCluster
@EnabledIfSystemProperty(named = "promptq.bench", matches = "true")
class ThroughputBenchmarkIT {

    private static final Logger log = LoggerFactory.getLogger(ThroughputBenchmarkIT.class);

    @Test
    void sixPartitionsKTen(ClusterInfo cluster) {
        run(cluster, 6, 10, 100, 4_500);
    }

    @Test
    void twelvePartitionsKTenCapHundred(ClusterInfo cluster) {
        run(cluster, 12, 10, 100, 6_000);
    }

    private static void run(ClusterInfo cluster, int partitions, int k, int cap, int jobs) {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "bench", partitions, 1)) {
            SimulatedLlm llm = LlmProviders.simulated(
                    SimulatedSettings.builder().latency(LatencyDistribution.fixed(Duration.ofMillis(200))).build());
            List<String> ids = kit.sendJobs("bench", jobs);
            kit.start("bench", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), Integer.toString(k),
                    WorkerConfig.MAX_IN_FLIGHT.name(), Integer.toString(cap)), llm);
            await().atMost(Duration.ofMinutes(3)).until(() -> kit.outcomes().hasAll(ids));

            LongSummaryStatistics completed = kit.outcomes().results.values().stream().flatMap(List::stream)
                    .mapToLong(r -> r.getCompletedAt().toEpochMilli()).summaryStatistics();
            double seconds = (completed.getMax() - completed.getMin()) / 1000.0;
            double rate = (completed.getCount() - 1) / seconds;
            double bound = Math.min(partitions * k, cap) / 0.2;
            LongSummaryStatistics endToEnd = kit.outcomes().results.values().stream().flatMap(List::stream)
                    .mapToLong(JobResult::getProviderMs).summaryStatistics();
            log.info("BENCH {} partitions, K={}, cap={}: {} jobs in {} s = {} jobs/s; bound {} jobs/s ({}%); "
                    + "provider ms avg {}", partitions, k, cap, completed.getCount(), String.format("%.2f", seconds),
                    String.format("%.1f", rate), String.format("%.0f", bound), String.format("%.1f", 100 * rate / bound),
                    String.format("%.1f", endToEnd.getAverage()));
        }
    }
}
