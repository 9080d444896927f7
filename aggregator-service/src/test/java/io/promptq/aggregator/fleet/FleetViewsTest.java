package io.promptq.aggregator.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.promptq.aggregator.JobStatsView;
import io.promptq.schema.WorkerPartitionStatus;
import io.promptq.schema.WorkerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetViewsTest {

    private static JobStatsView window(long startMillis, long total, long succeeded, long deadLettered, long expired,
            long retries, double p50, double p95, double p99) {
        JobStatsView.Latency latency = new JobStatsView.Latency(total, 0, 0, 0, 0, p50, 0, p95, p99);
        return new JobStatsView("overall@" + startMillis, "OVERALL", "*", Instant.ofEpochMilli(startMillis).toString(),
                Instant.ofEpochMilli(startMillis + 60_000).toString(), total, succeeded, deadLettered, expired, 0, 0,
                retries, 0, 0, 10 * total, 20 * total, latency, latency, Instant.EPOCH.toString(), 0);
    }

    @Test
    void overviewRatesPerSecondPercentilesAndSumsComeFromTheWindowsAndTotalsFromTheAllTimeAggregate() {
        List<JobStatsView> windows = List.of(window(0, 120, 100, 15, 5, 7, 10, 20, 30),
                window(60_000, 60, 60, 0, 0, 1, 11, 21, 31));
        JobStatsView allTime = window(0, 1_000, 900, 50, 40, 99, 0, 0, 0);
        List<PartitionLag> lag = List.of(new PartitionLag("g", "jobs", 0, 3));

        Overview overview = Overview.of(windows, Duration.ofMinutes(1), allTime,
                List.of(new Overview.Sample(0, 100), new Overview.Sample(2_000, 140), new Overview.Sample(4_000, 140)), lag);

        assertThat(overview.finishedPerSecond()).containsExactly(new Overview.Point(0, 2.0), new Overview.Point(60_000, 1.0));
        assertThat(overview.submittedPerSecond()).containsExactly(new Overview.Point(2_000, 20.0),
                new Overview.Point(4_000, 0.0));
        assertThat(overview.latency()).containsExactly(new Overview.LatencyPoint(0, 10, 20, 30),
                new Overview.LatencyPoint(60_000, 11, 21, 31));
        assertThat(overview.rates().succeeded()).isCloseTo(160 / 180.0, within(1e-9));
        assertThat(overview.rates().deadLettered()).isCloseTo(15 / 180.0, within(1e-9));
        assertThat(overview.rates().expired()).isCloseTo(5 / 180.0, within(1e-9));
        assertThat(overview.retries()).isEqualTo(8);
        assertThat(overview.tokens()).isEqualTo(new Overview.Tokens(1_800, 3_600));
        assertThat(overview.totals()).isEqualTo(new Overview.Totals(1_000, 900, 50, 40, 0));
        assertThat(overview.lag()).isEqualTo(lag);
    }

    @Test
    void overviewOfAQuietPeriodHasZeroRates() {
        Overview overview = Overview.of(List.of(), Duration.ofMinutes(1), window(0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(),
                List.of());

        assertThat(overview.rates()).isEqualTo(new Overview.Rates(0, 0, 0));
        assertThat(overview.submittedPerSecond()).isEmpty();
    }

    @Test
    void workerIsStaleAfterThreeOfItsIntervalsWithoutARecord() {
        WorkerStatus status = WorkerStatus.newBuilder().setWorkerId("w").setGroupId("g").setHost("h")
                .setStartedAt(Instant.ofEpochMilli(0)).setAt(Instant.ofEpochMilli(10_000)).setIntervalMs(2_000)
                .setPartitions(List.of(new WorkerPartitionStatus("jobs", 1, 2, 0, 5, true, "BREAKER")))
                .setInFlight(2).setFreePermits(8).setBuffered(5).setBreakers(Map.of("m", "OPEN"))
                .setModelsUnavailable(List.of()).setRateLimitWaits(3).build();

        assertThat(WorkersList.worker(status, 16_000).stale()).isFalse();
        WorkersList.Worker stale = WorkersList.worker(status, 16_001);
        assertThat(stale.stale()).isTrue();
        assertThat(stale.partitions()).containsExactly(new WorkersList.Partition("jobs", 1, 2, 0, 5, true, "BREAKER"));
        assertThat(stale.breakers()).containsEntry("m", "OPEN");
        assertThat(stale.rateLimitWaits()).isEqualTo(3);
    }
}
