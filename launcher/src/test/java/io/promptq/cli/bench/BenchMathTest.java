package io.promptq.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchMathTest {

    @Test
    void capacityIsPartitionsTimesPermitsOverLatency() {
        assertThat(BenchMath.capacity(12, 10, Duration.ofMillis(200))).isCloseTo(600.0, within(1e-9));
        assertThat(BenchMath.capacity(1, 20, Duration.ofMillis(200))).isCloseTo(100.0, within(1e-9));
        assertThat(BenchMath.capacity(12, 10, Duration.ZERO)).isNaN();
    }

    @Test
    void efficiencyIsMeasuredRateOverCapacity() {
        assertThat(BenchMath.efficiency(570, 12, 10, Duration.ofMillis(200))).isCloseTo(0.95, within(1e-9));
        assertThat(BenchMath.efficiency(Double.NaN, 12, 10, Duration.ofMillis(200))).isNaN();
    }

    @Test
    void perSecondConvertsNanoseconds() {
        assertThat(BenchMath.perSecond(1_000, 2_000_000_000L)).isCloseTo(500.0, within(1e-9));
        assertThat(BenchMath.perSecond(1_000, 0)).isNaN();
    }

    @Test
    void steadyRateIgnoresRampUpAndTail() {
        // 11 completions: a slow start (first at t=0, second at t=1 s), then one every 10 ms, then a slow tail.
        long[] times = new long[11];
        times[0] = 0;
        for (int i = 1; i <= 9; i++) {
            times[i] = 1_000_000_000L + (i - 1) * 10_000_000L;
        }
        times[10] = 5_000_000_000L;
        // between the 10th (index 1) and 90th (index 9) percentile: 8 intervals in 80 ms
        assertThat(BenchMath.steadyRate(times, 0.1, 0.9)).isCloseTo(100.0, within(1e-6));
        assertThat(BenchMath.steadyRate(new long[] {42}, 0.1, 0.9)).isNaN();
    }

    @Test
    void steadyRateDoesNotDependOnOrder() {
        long[] sorted = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100};
        long[] shuffled = {50, 0, 100, 30, 20, 90, 10, 70, 60, 80, 40};
        assertThat(BenchMath.steadyRate(shuffled, 0.1, 0.9)).isEqualTo(BenchMath.steadyRate(sorted, 0.1, 0.9));
    }

    @Test
    void steadyRateRejectsAnEmptyWindow() {
        assertThatThrownBy(() -> BenchMath.steadyRate(new long[] {1, 2}, 0.9, 0.1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void percentileIsNearestRank() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = 100 - i; // 100 .. 1, unsorted
        }
        assertThat(BenchMath.percentile(values, 0.5)).isEqualTo(50.0);
        assertThat(BenchMath.percentile(values, 0.99)).isEqualTo(99.0);
        assertThat(BenchMath.percentile(values, 1.0)).isEqualTo(100.0);
        assertThat(BenchMath.percentile(values, 0.0)).isEqualTo(1.0);
        assertThat(BenchMath.percentile(new long[0], 0.5)).isNaN();
    }

    @Test
    void cpuPerThousandAndMebibytes() {
        assertThat(BenchMath.cpuSecondsPerThousand(3_000_000_000L, 10_000)).isCloseTo(0.3, within(1e-12));
        assertThat(BenchMath.cpuSecondsPerThousand(1, 0)).isNaN();
        assertThat(BenchMath.mib(256L * 1024 * 1024)).isEqualTo(256.0);
    }

    @Test
    void busyFractionCountsOnlyTheOverlapWithTheWindow() {
        long[] starts = {0, 50, 150};
        long[] ends = {100, 150, 400};
        // window [50, 250), 2 slots: overlaps 50 + 100 + 100 = 250 of 2 x 200
        assertThat(BenchMath.busyFraction(starts, ends, 50, 250, 2)).isCloseTo(0.625, within(1e-12));
        assertThat(BenchMath.busyFraction(starts, ends, 50, 50, 2)).isNaN();
        assertThatThrownBy(() -> BenchMath.busyFraction(starts, new long[] {1}, 0, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void meanAndQuantileTime() {
        assertThat(BenchMath.mean(new long[] {1, 2, 6})).isEqualTo(3.0);
        assertThat(BenchMath.mean(new long[0])).isNaN();
        assertThat(BenchMath.quantileTime(new long[] {40, 10, 30, 20}, 0.5)).isEqualTo(20L);
    }
}
