package io.promptq.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {

    private static BenchReport full() {
        return new BenchReport("standard", 2, Map.of(),
                new BenchReport.Raw(200_000, 310, 12, 50_000, 120_000, 0.02,
                        new CpuBreakdown(Map.of("broker", 0.012, "client", 0.008))),
                new BenchReport.Noop(20_000, 12, 20, 1, 5_000, 0.4, 0,
                        new CpuBreakdown(Map.of("worker", 0.2, "aggregator", 0.2))),
                new BenchReport.LatencyBound(6_000, 12, 10, Duration.ofMillis(200), 580, 0.99, 205),
                new BenchReport.AddedLatency(290, 2_900, 4.0, 25.5, 6.0, 30.0, 0.02, 9.5),
                new BenchReport.Scaling(20, Duration.ofMillis(200), List.of(99.0, 198.0, 290.0)),
                new BenchReport.Memory(10_000, 10_000, 100L << 20, 180L << 20));
    }

    @Test
    void derivedRatiosComeFromTheSameRun() {
        BenchReport r = full();
        assertThat(r.noopRatio()).isCloseTo(0.1, within(1e-12));
        assertThat(r.noopCpuRatio()).isCloseTo(20.0, within(1e-9));
        assertThat(r.latencyBound().efficiency()).isCloseTo(580.0 / 600.0, within(1e-12));
        assertThat(r.scaling().factor(2)).isCloseTo(2.0, within(1e-12));
        assertThat(r.scaling().factor(3)).isCloseTo(290.0 / 99.0, within(1e-12));
        assertThat(r.memory().heapMiB()).isEqualTo(80.0);
        assertThat(r.memory().bytesPerJob()).isCloseTo(80.0 * 1024 * 1024 / 10_000, within(1e-9));
    }

    @Test
    void heapIsScaledToTenThousandJobsWhenFewerWereReached() {
        BenchReport.Memory m = new BenchReport.Memory(10_000, 5_000, 0, 50L << 20);
        assertThat(m.heapMiB()).isEqualTo(50.0);
        assertThat(m.heapMiBPer10k()).isEqualTo(100.0);
    }

    @Test
    void checksJudgeEachTarget() {
        List<BenchReport.Check> checks = full().checks();
        assertThat(checks).extracting(BenchReport.Check::key).containsExactly("noopRatio", "latencyBoundEfficiency",
                "addedLatencyP99Ms", "scaling3", "inflight10kHeapMiB");
        assertThat(checks).extracting(BenchReport.Check::met).containsExactly(false, true, false, true, true);
        assertThat(full().missed()).extracting(BenchReport.Check::key).containsExactly("noopRatio", "addedLatencyP99Ms");
    }

    @Test
    void jsonHasEveryRequiredKey() {
        String json = full().toJson();
        for (String key : List.of("rawMsgsPerSec", "noopJobsPerSec", "noopRatio", "latencyBoundEfficiency",
                "addedLatencyP50Ms", "addedLatencyP99Ms", "scaling2", "scaling3", "inflight10kHeapMiB")) {
            assertThat(json).contains("\"" + key + "\": ");
        }
        assertThat(json).contains("\"rawMsgsPerSec\": 50000,").contains("\"noopRatio\": 0.1,")
                .contains("\"scaling2\": 2,").contains("\"inflight10kHeapMiB\": 80,")
                .contains("\"noopRatio\": {\"target\": \">= 0.20\", \"met\": false}");
        assertThat(json.trim()).startsWith("{").endsWith("}");
        assertThat(json).contains("\"noopCpuBreakdown\": {\"");
    }

    @Test
    void theNoStatesRunGivesTheStatesThroughputRatioInTableAndJson() {
        BenchReport.Noop on = new BenchReport.Noop(20_000, 12, 20, 1, 4_500, 0.4, 0, null);
        BenchReport.Noop off = new BenchReport.Noop(20_000, 12, 20, 1, 5_000, 0.36, 0, null);
        BenchReport report = new BenchReport("standard", 2, Map.of(), null, on, null, null, null, null, off);
        assertThat(report.statesThroughputRatio()).isEqualTo(0.9);
        assertThat(report.toTable()).contains("2b no-op jobs, job states off").contains("5,000 jobs/s")
                .contains("states on / off = 0.900 x");
        assertThat(report.toJson()).contains("\"statesThroughputRatio\": 0.9");
        assertThat(full().toJson()).doesNotContain("statesThroughputRatio");
    }

    @Test
    void scenariosThatDidNotRunAreNullInJsonAndDashesInTheTable() {
        BenchReport onlyRaw = new BenchReport("quick", 2, Map.of(), new BenchReport.Raw(1_000, 300, 12, 10_000, 20_000, 0.1, null),
                null, null, null, null, null);
        String json = onlyRaw.toJson();
        assertThat(json).contains("\"noopRatio\": null,").contains("\"scaling3\": null,")
                .contains("\"latencyBoundEfficiency\": {\"target\": \">= 0.95\", \"met\": null}");
        assertThat(onlyRaw.missed()).isEmpty();
        assertThat(onlyRaw.toTable()).contains("1 raw Kafka").doesNotContain("no-op");
    }

    @Test
    void tableShowsOneRowPerScenarioWithVerdicts() {
        String table = full().toTable();
        assertThat(table.lines()).hasSize(10); // header, rule, 6 scenarios, 2 CPU breakdowns
        assertThat(table).contains("50,000 msgs/s").contains("= 0.100 x raw").contains("efficiency 0.967 (permits 99.0% in calls; calls 1.025 x 200 ms)")
                .contains("p99 25.5 ms (p99 9.5 ms without the 2.0% that found K busy)").contains("1w 99.0 (0.99), 2w 198.0 (0.99), 3w 290.0 (0.97) jobs/s (of capacity); x2.00 / x2.93").contains("+80.0 MiB").contains("MISSED").contains("met");
    }

    @Test
    void aRunWithoutRawOrNoopStillRendersJson() {
        BenchReport onlyLatency = new BenchReport("standard", 2, Map.of("PROMPTQ_WORKER_GROUP_PROTOCOL", "classic"),
                null, null, new BenchReport.LatencyBound(6_000, 12, 10, Duration.ofMillis(200), 590, 0.99, 201), null, null, null);
        String json = onlyLatency.toJson();
        assertThat(json).contains("\"partitions\": null,").contains("\"rawMsgsPerSec\": null,")
                .contains("\"overrides\": {\"PROMPTQ_WORKER_GROUP_PROTOCOL\": \"classic\"},")
                .contains("\"latencyBoundEfficiency\": 0.9833,");
        assertThat(onlyLatency.checks()).filteredOn(c -> c.met() != null).extracting(BenchReport.Check::key)
                .containsExactly("latencyBoundEfficiency");
    }
}
