package io.promptq.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchPlanTest {

    @Test
    void latencyBoundBacklogLastsTheRunAtFullCapacity() {
        BenchPlan plan = BenchPlan.standard();
        assertThat(plan.latencyBoundCap()).isEqualTo(120);
        assertThat(plan.latencyBoundCapacity()).isEqualTo(600.0);
        assertThat(plan.latencyBoundJobs()).isEqualTo(9_000);
    }

    @Test
    void scalingRoundsGrowWithTheWorkers() {
        BenchPlan plan = BenchPlan.standard();
        assertThat(plan.scalingCapacity(1)).isEqualTo(100.0);
        assertThat(plan.scalingJobs(1)).isEqualTo(1_000);
        assertThat(plan.scalingJobs(3)).isEqualTo(3_000);
    }

    @Test
    void quickPlanIsSmallerButMeasuresTheSameThings() {
        BenchPlan standard = BenchPlan.standard();
        BenchPlan quick = BenchPlan.quick();
        assertThat(quick.rawMessages()).isLessThan(standard.rawMessages());
        assertThat(quick.noopJobs()).isLessThan(standard.noopJobs());
        assertThat(quick.latencyBoundJobs()).isLessThan(standard.latencyBoundJobs());
        assertThat(quick.inFlightJobs()).isEqualTo(10_000);
        assertThat(quick.providerLatency()).isEqualTo(standard.providerLatency());
    }

    @Test
    void aWorkerCapThatWouldNotBindIsRejected() {
        assertThatThrownBy(() -> new BenchPlan("x", 12, 1, 1, 1, Duration.ofMillis(200), 10, Duration.ofSeconds(1),
                0.5, Duration.ofSeconds(1), 61, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scalingWorkerCap 61");
    }

    @Test
    void aLoadOutsideZeroToOneIsRejected() {
        assertThatThrownBy(() -> new BenchPlan("x", 12, 1, 1, 1, Duration.ofMillis(200), 10, Duration.ofSeconds(1),
                1.5, Duration.ofSeconds(1), 20, Duration.ofSeconds(1), 1, Duration.ofSeconds(1)))
                .hasMessageContaining("addedLatencyLoad");
    }
}
