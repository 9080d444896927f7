package io.promptq.aggregator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigSource;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStats;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.SharedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: measures the aggregator's sustained throughput on this machine. Pre-produces N job results
 * (default 200,000; first argument) to a 3-partition results topic of the shared embedded cluster, then
 * starts the aggregator and measures the time from RUNNING until the overall totals count all of them.
 *
 * <pre>
 * ./mvnw -q -o -pl aggregator-service test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx1g -cp target/classes:target/test-classes:$(cat target/cp.txt) io.promptq.aggregator.AggregatorThroughputBenchmark
 * </pre>
 */
public final class AggregatorThroughputBenchmark {

    private AggregatorThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ClusterInfo cluster = SharedCluster.get();
        Path stateDir = Files.createTempDirectory("aggregator-bench-");
        try (ItSupport it = new ItSupport(cluster)) {
            cluster.createTopics(3, it.names.results());
            Random random = new Random(1);
            Instant start = Instant.now().minus(Duration.ofMinutes(10));
            long t0 = System.nanoTime();
            List<JobResult> batch = new ArrayList<>(10_000);
            for (int i = 0; i < count; i++) {
                JobStatus status = random.nextInt(100) < 3 ? JobStatus.DEAD_LETTERED : JobStatus.SUCCEEDED;
                int attempts = random.nextInt(100) < 10 ? 2 : 1;
                long[] durations = new long[attempts];
                for (int a = 0; a < attempts; a++) {
                    durations[a] = Math.round(Math.exp(Math.log(600) + 0.8 * random.nextGaussian()));
                }
                batch.add(Results.result("bench-" + i, "model-" + random.nextInt(4), "tenant-" + random.nextInt(10), status,
                        start.plusMillis(i * 600_000L / count), 1_000 + random.nextInt(5_000), 200, 300, durations));
                if (batch.size() == 10_000) {
                    it.publish(batch);
                    batch.clear();
                }
            }
            it.publish(batch);
            double produceSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("pre-produced %,d results in %.1f s (%,.0f/s)%n", count, produceSeconds, count / produceSeconds);

            Map<String, String> env = it.environment("bench-" + it.suffix, stateDir);
            env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "1s");
            AggregatorConfig config = AggregatorConfig.from(ConfigSource.of(env));
            try (AggregatorService aggregator = AggregatorService.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                aggregator.awaitRunning(Duration.ofMinutes(2));
                long running = System.nanoTime();
                JobStats totals = aggregator.totals();
                while (totals.getTotal() < count) {
                    Thread.sleep(100);
                    totals = aggregator.totals();
                }
                double seconds = (System.nanoTime() - running) / 1e9;
                System.out.printf("aggregated %,d results in %.1f s: %,.0f results/s (overall p50 %.0f ms, p99 %.0f ms)%n",
                        totals.getTotal(), seconds, totals.getTotal() / seconds, totals.getProviderLatency().getP50Ms(),
                        totals.getProviderLatency().getP99Ms());
            }
        } finally {
            System.exit(0); // the shared cluster closes in its shutdown hook
        }
    }
}
