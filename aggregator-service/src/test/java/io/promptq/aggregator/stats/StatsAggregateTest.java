package io.promptq.aggregator.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class StatsAggregateTest {

    private static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99};

    /** Log-normal latencies around 400 ms with a long tail (sigma 1). */
    private static double[] logNormal(int n, long seed) {
        Random random = new Random(seed);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = Math.exp(Math.log(400) + random.nextGaussian());
        }
        return values;
    }

    private static double exactQuantile(double[] sorted, double q) {
        return sorted[(int) Math.floor(q * (sorted.length - 1))];
    }

    @Test
    void percentilesOfHundredThousandLogNormalLatenciesAreWithinOnePercentOfExactQuantiles() {
        double[] latencies = logNormal(100_000, 42);
        StatsAggregate aggregate = StatsAggregate.empty();
        for (double latency : latencies) {
            aggregate.provider().record(latency);
        }
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);

        for (double q : QUANTILES) {
            double exact = exactQuantile(sorted, q);
            assertThat(aggregate.provider().quantile(q)).as("p%s", q * 100).isCloseTo(exact, within(exact * 0.01));
        }
        assertThat(aggregate.provider().count()).isEqualTo(100_000);
        assertThat(aggregate.provider().min()).isEqualTo(sorted[0]);
        assertThat(aggregate.provider().max()).isEqualTo(sorted[sorted.length - 1]);
        assertThat(aggregate.provider().mean()).isCloseTo(Arrays.stream(latencies).average().orElseThrow(), within(1e-6));
    }

    @Test
    void percentilesOfIntegerMillisecondsStayWithinOnePercentAfterSerialization() {
        double[] latencies = Arrays.stream(logNormal(20_000, 7)).map(Math::rint).toArray();
        StatsAggregate aggregate = StatsAggregate.empty();
        for (double latency : latencies) {
            aggregate.endToEnd().record(latency);
        }
        StatsAggregate restored = StatsAggregate.fromBytes(aggregate.toBytes());
        double[] sorted = latencies.clone();
        Arrays.sort(sorted);
        for (double q : QUANTILES) {
            double exact = exactQuantile(sorted, q);
            assertThat(restored.endToEnd().quantile(q)).isCloseTo(exact, within(exact * 0.01));
        }
    }

    @Test
    void mergeOfTwoAggregatesEqualsTheAggregateOfTheUnion() {
        Random random = new Random(3);
        List<JobSample> all = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            JobStatus status = JobStatus.values()[random.nextInt(JobStatus.values().length)];
            int attempts = 1 + random.nextInt(3);
            long[] provider = new long[attempts];
            for (int a = 0; a < attempts; a++) {
                provider[a] = (long) Math.exp(Math.log(300) + random.nextGaussian());
            }
            all.add(new JobSample(status, attempts, provider, 1000 + random.nextInt(100_000), random.nextInt(500),
                    random.nextInt(800)));
        }
        StatsAggregate left = StatsAggregate.of(all.subList(0, 1_234), 10);
        StatsAggregate right = StatsAggregate.of(all.subList(1_234, all.size()), 20);
        StatsAggregate union = StatsAggregate.of(all, 20);

        // through the serde, as windows and partitions are combined from stored aggregates
        StatsAggregate merged = StatsAggregate.fromBytes(left.toBytes()).merge(StatsAggregate.fromBytes(right.toBytes()));

        JobStats expected = union.toJobStats(StatsKey.overall(), null, null);
        JobStats actual = merged.toJobStats(StatsKey.overall(), null, null);
        assertThat(actual.getTotal()).isEqualTo(5_000);
        assertThat(actual.getProviderLatency().getSumMs()).isEqualTo(expected.getProviderLatency().getSumMs(), within(1e-3));
        assertThat(actual.getEndToEndLatency().getMeanMs()).isEqualTo(expected.getEndToEndLatency().getMeanMs(), within(1e-6));
        // everything else exactly: counters and sketch bins (hence percentiles) are additive
        actual.getProviderLatency().setSumMs(expected.getProviderLatency().getSumMs());
        actual.getProviderLatency().setMeanMs(expected.getProviderLatency().getMeanMs());
        actual.getEndToEndLatency().setSumMs(expected.getEndToEndLatency().getSumMs());
        actual.getEndToEndLatency().setMeanMs(expected.getEndToEndLatency().getMeanMs());
        assertThat(actual).isEqualTo(expected);
        for (double q = 0; q <= 1.0; q += 0.01) {
            assertThat(merged.provider().quantile(q)).isEqualTo(union.provider().quantile(q));
        }
    }

    @Test
    void aggregateStoredAfterEveryUpdateReportsTheSamePercentilesAsOneKeptInMemory() {
        double[] latencies = logNormal(1_000, 5);
        StatsAggregate inMemory = StatsAggregate.empty();
        StatsAggregate stored = StatsAggregate.empty();
        for (int i = 0; i < latencies.length; i++) {
            JobSample sample = new JobSample(JobStatus.SUCCEEDED, 1, new long[] {Math.round(latencies[i])}, i, 0, 0);
            inMemory.add(sample, 0);
            stored = StatsAggregate.fromBytes(stored.add(sample, 0).toBytes());
            if (i % 97 == 0) { // reading percentiles folds the pending samples in at arbitrary points
                assertThat(stored.provider().quantile(0.5)).isEqualTo(inMemory.provider().quantile(0.5));
            }
        }
        for (double q = 0; q <= 1.0; q += 0.01) {
            assertThat(stored.provider().quantile(q)).isEqualTo(inMemory.provider().quantile(q));
            assertThat(stored.endToEnd().quantile(q)).isEqualTo(inMemory.endToEnd().quantile(q));
        }
        assertThat(stored.toJobStats(StatsKey.overall(), null, null)).isEqualTo(inMemory.toJobStats(StatsKey.overall(), null, null));
    }

    @Test
    void countsOutcomesRetriesAttemptsAndTokens() {
        StatsAggregate aggregate = StatsAggregate.of(List.of(
                new JobSample(JobStatus.SUCCEEDED, 1, new long[] {100}, 150, 10, 20),
                new JobSample(JobStatus.SUCCEEDED, 3, new long[] {100, 200, 300}, 900, 11, 21),
                new JobSample(JobStatus.DEAD_LETTERED, 2, new long[] {50, 60}, 400, 12, 0),
                new JobSample(JobStatus.EXPIRED, 0, new long[0], 5_000, 0, 0),
                new JobSample(JobStatus.CANCELLED, 0, new long[0], 10, 0, 0),
                new JobSample(JobStatus.UNKNOWN, 1, new long[] {70}, 80, 1, 1)), 99);

        assertThat(aggregate.total()).isEqualTo(6);
        assertThat(aggregate.succeeded()).isEqualTo(2);
        assertThat(aggregate.deadLettered()).isEqualTo(1);
        assertThat(aggregate.expired()).isEqualTo(1);
        assertThat(aggregate.cancelled()).isEqualTo(1);
        assertThat(aggregate.other()).isEqualTo(1);
        assertThat(aggregate.totalAttempts()).isEqualTo(7);
        assertThat(aggregate.totalRetries()).isEqualTo(3);
        assertThat(aggregate.jobsRetried()).isEqualTo(2);
        assertThat(aggregate.promptTokens()).isEqualTo(34);
        assertThat(aggregate.completionTokens()).isEqualTo(42);
        assertThat(aggregate.provider().count()).isEqualTo(7);
        assertThat(aggregate.provider().sum()).isEqualTo(880);
        assertThat(aggregate.provider().min()).isEqualTo(50);
        assertThat(aggregate.provider().max()).isEqualTo(300);
        assertThat(aggregate.endToEnd().count()).isEqualTo(6);
        assertThat(aggregate.updatedAtMs()).isEqualTo(99);
    }

    @Test
    void emptyAggregateReportsZerosAndSurvivesTheSerde() {
        StatsAggregate empty = StatsAggregate.fromBytes(StatsAggregate.empty().toBytes());

        JobStats stats = empty.toJobStats(StatsKey.model("m"), null, null);
        assertThat(stats.getTotal()).isZero();
        assertThat(stats.getProviderLatency().getCount()).isZero();
        assertThat(stats.getProviderLatency().getP99Ms()).isZero();
        assertThat(stats.getProviderLatency().getMinMs()).isZero();
        assertThat(stats.getScopeValue()).isEqualTo("m");
    }

    @Test
    void negativeDurationsAreNotSamples() {
        StatsAggregate aggregate = StatsAggregate.of(List.of(new JobSample(JobStatus.SUCCEEDED, 1, new long[] {-5}, -1, 0, 0)), 0);

        assertThat(aggregate.total()).isEqualTo(1);
        assertThat(aggregate.provider().count()).isZero();
        assertThat(aggregate.endToEnd().count()).isZero();
    }

    @Test
    void corruptBytesAreASerializationException() {
        byte[] bytes = StatsAggregate.of(List.of(new JobSample(JobStatus.SUCCEEDED, 1, new long[] {5}, 6, 0, 0)), 0).toBytes();

        assertThatThrownBy(() -> StatsAggregate.fromBytes(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(SerializationException.class);
        bytes[0] = 9;
        assertThatThrownBy(() -> StatsAggregate.fromBytes(bytes)).isInstanceOf(SerializationException.class)
                .hasMessageContaining("format 9");
    }

    @Test
    void undecodableRecordsAreCountedApartFromJobsAndSurviveTheStoreFormat() {
        StatsAggregate aggregate = StatsAggregate.of(List.of(
                new JobSample(JobStatus.SUCCEEDED, 1, new long[] {5}, 6, 1, 2),
                JobSample.undecodableRecord(),
                JobSample.undecodableRecord()), 7);

        StatsAggregate restored = StatsAggregate.fromBytes(aggregate.toBytes());
        assertThat(restored.undecodable()).isEqualTo(2);
        assertThat(restored.total()).isEqualTo(1);
        assertThat(restored.totalAttempts()).isEqualTo(1);
        assertThat(restored.merge(aggregate).toJobStats(StatsKey.overall(), null, null).getUndecodable()).isEqualTo(4);
    }

    @Test
    void anAggregateStoredByAnEarlierVersionIsReadWithNoUndecodableRecords() {
        byte[] v2 = StatsAggregate.of(List.of(new JobSample(JobStatus.SUCCEEDED, 1, new long[] {5}, 6, 1, 2)), 7).toBytes();
        // the V1 form: the same counters without the trailing undecodable count
        java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(v2.length - 8);
        v1.put((byte) 1).put(v2, 1, 8 * 12).put(v2, 1 + 8 * 13, v2.length - 1 - 8 * 13);

        StatsAggregate restored = StatsAggregate.fromBytes(v1.array());
        assertThat(restored.total()).isEqualTo(1);
        assertThat(restored.undecodable()).isZero();
        assertThat(restored.provider().count()).isEqualTo(1);
    }
}
