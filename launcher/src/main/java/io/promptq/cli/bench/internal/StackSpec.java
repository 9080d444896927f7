package io.promptq.cli.bench.internal;

import io.promptq.llm.LatencyDistribution;
import java.time.Duration;
import java.util.Map;

/**
 * What one scenario runs on.
 *
 * @param partitions partitions of the jobs and results topics
 * @param permits K, jobs of one partition in flight per worker
 * @param workerCap each worker's max in-flight cap
 * @param bufferPerPartition fetched records held per partition (also {@code max.poll.records})
 * @param latency the shared simulated provider's latency
 * @param aggregator whether the aggregator (Kafka Streams) runs
 * @param workerEnv further worker settings (env keys)
 */
public record StackSpec(int partitions, int permits, int workerCap, int bufferPerPartition, LatencyDistribution latency,
        boolean aggregator, Map<String, String> workerEnv) {

    /** Fetched records per partition in the throughput scenarios (the worker's default). */
    public static final int DEFAULT_BUFFER = 50;

    public StackSpec {
        workerEnv = Map.copyOf(workerEnv);
    }

    public static StackSpec of(int partitions, int permits, int workerCap, Duration latency) {
        return new StackSpec(partitions, permits, workerCap, DEFAULT_BUFFER, LatencyDistribution.fixed(latency), false, Map.of());
    }

    /** A builder starting from this spec. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Builds a {@link StackSpec}. */
    public static final class Builder {
        private int partitions;
        private int permits;
        private int workerCap;
        private int bufferPerPartition;
        private LatencyDistribution latency;
        private boolean aggregator;
        private Map<String, String> workerEnv;

        private Builder(StackSpec from) {
            partitions = from.partitions;
            permits = from.permits;
            workerCap = from.workerCap;
            bufferPerPartition = from.bufferPerPartition;
            latency = from.latency;
            aggregator = from.aggregator;
            workerEnv = from.workerEnv;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder permits(int value) {
            permits = value;
            return this;
        }

        public Builder workerCap(int value) {
            workerCap = value;
            return this;
        }

        public Builder bufferPerPartition(int value) {
            bufferPerPartition = value;
            return this;
        }

        public Builder latency(LatencyDistribution value) {
            latency = value;
            return this;
        }

        public Builder aggregator(boolean value) {
            aggregator = value;
            return this;
        }

        public Builder workerEnv(Map<String, String> value) {
            workerEnv = value;
            return this;
        }

        public StackSpec build() {
            return new StackSpec(partitions, permits, workerCap, bufferPerPartition, latency, aggregator, workerEnv);
        }
    }
}
