package io.promptq.cli.bench.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.promptq.cli.bench.BenchReport;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyScenariosTest {

    private static final long MS = 1_000_000L;

    private static LatencyScenarios.JobTiming job(int partition, long submitted, long start, long end, long read) {
        return new LatencyScenarios.JobTiming(partition, submitted * MS, start * MS, end * MS, read * MS);
    }

    @Test
    void aJobThatFindsItsPartitionsPermitsTakenCountsAsQueued() {
        List<LatencyScenarios.JobTiming> jobs = List.of(
                job(0, 0, 1, 201, 210),     // takes partition 0's only permit
                job(0, 100, 211, 411, 420), // arrives while it is taken: waits 111 ms
                job(1, 100, 102, 302, 310)); // other partition: free
        BenchReport.AddedLatency a = LatencyScenarios.summarize(150, 3, jobs, 1);
        assertThat(a.queuedShare()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(a.toCallStartP99Ms()).isEqualTo(111.0);
        assertThat(a.toCallStartP50Ms()).isEqualTo(2.0);
        assertThat(a.unqueuedToCallStartP99Ms()).isEqualTo(2.0);
        // (submit -> read) - provider time: 210 - 200, 320 - 200, 210 - 200
        assertThat(a.overheadP50Ms()).isEqualTo(10.0);
        assertThat(a.overheadP99Ms()).isEqualTo(120.0);
    }

    @Test
    void withEnoughPermitsNothingIsQueued() {
        List<LatencyScenarios.JobTiming> jobs = List.of(job(0, 0, 1, 201, 210), job(0, 100, 101, 301, 310));
        BenchReport.AddedLatency a = LatencyScenarios.summarize(150, 2, jobs, 2);
        assertThat(a.queuedShare()).isZero();
        assertThat(a.unqueuedToCallStartP99Ms()).isEqualTo(a.toCallStartP99Ms());
    }
}
