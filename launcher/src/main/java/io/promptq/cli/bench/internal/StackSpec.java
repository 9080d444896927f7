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

    public StackSpec withAggregator() {
        return new StackSpec(partitions, permits, workerCap, bufferPerPartition, latency, true, workerEnv);
    }

    public StackSpec withWorkerEnv(Map<String, String> value) {
        return new StackSpec(partitions, permits, workerCap, bufferPerPartition, latency, aggregator, value);
    }
}
