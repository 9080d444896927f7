package io.promptq.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyDistributionTest {

    private static final int DRAWS = 20_000;

    @Test
    void fixedAlwaysReturnsExactlyItsLatency() {
        LatencyDistribution fixed = LatencyDistribution.parse("fixed:200ms");
        SplittableRandom random = new SplittableRandom(1);

        for (int i = 0; i < 1_000; i++) {
            assertThat(fixed.sample(random)).isEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void uniformStaysWithinBoundsAndCoversTheRange() {
        LatencyDistribution uniform = LatencyDistribution.parse("uniform:100ms-500ms");
        long[] nanos = draw(uniform);

        assertThat(nanos[0]).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos()).isLessThan(Duration.ofMillis(105).toNanos());
        assertThat(nanos[DRAWS - 1]).isLessThanOrEqualTo(Duration.ofMillis(500).toNanos()).isGreaterThan(Duration.ofMillis(495).toNanos());
        assertThat(percentileMillis(nanos, 0.5)).isCloseTo(300, within(10.0));
    }

    @Test
    void lognormalMatchesItsMedianAndP99() {
        LatencyDistribution lognormal = LatencyDistribution.parse("lognormal:median=300ms,p99=2s");
        long[] nanos = draw(lognormal);

        assertThat(percentileMillis(nanos, 0.50)).isCloseTo(300, within(300 * 0.05));
        assertThat(percentileMillis(nanos, 0.99)).isCloseTo(2000, within(2000 * 0.10));
        assertThat(nanos[0]).isPositive();
    }

    @Test
    void specRoundTripsThroughParse() {
        for (String spec : new String[] {"fixed:0ms", "fixed:250ms", "uniform:100ms-2s", "lognormal:median=300ms,p99=2s"}) {
            assertThat(LatencyDistribution.parse(spec).spec()).isEqualTo(spec);
        }
        assertThat(LatencyDistribution.parse(" Fixed: 1.5s ")).isEqualTo(LatencyDistribution.fixed(Duration.ofMillis(1500)));
        assertThat(LatencyDistribution.parse("lognormal:p99=1m,median=20")).isEqualTo(LatencyDistribution.lognormal(Duration.ofMillis(20), Duration.ofMinutes(1)));
    }

    @Test
    void invalidSpecsAreRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> LatencyDistribution.parse("normal:100ms")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lognormal:median=");
        assertThatThrownBy(() -> LatencyDistribution.parse("uniform:9ms-1ms")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> LatencyDistribution.parse("lognormal:median=0ms,p99=1s")).isInstanceOf(IllegalArgumentException.class);
    }

    private static long[] draw(LatencyDistribution distribution) {
        SplittableRandom random = new SplittableRandom(42);
        long[] nanos = new long[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            nanos[i] = distribution.sample(random).toNanos();
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double percentileMillis(long[] sorted, double q) {
        return sorted[(int) Math.ceil(q * sorted.length) - 1] / 1e6;
    }
}
