package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.kafka.KafkaSettings;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory stays bounded however large the backlog: a backlog of small jobs (200,000 by default; 1,000,000 with
 * {@code -Dpromptq.it.large=true}) produced fast with a raw producer, a slow provider (500 ms per call), and the
 * worker's heap growth measured in this JVM with {@link MemoryMXBean} after full GCs. The worker holds at most K
 * running jobs and {@code PROMPTQ_WORKER_BUFFER_PER_PARTITION} fetched records per partition, and pauses the rest
 * of the backlog in the broker.
 */
@PromptqCluster
class BacklogMemoryIT {

    private static final Logger log = LoggerFactory.getLogger(BacklogMemoryIT.class);
    private static final int PARTITIONS = 6;
    private static final int K = 10;
    private static final int BUFFER = 50;
    /** A worker's fixed footprint (clients, fetch and batch buffers, meters, caches) stays below this. */
    private static final long MAX_FOOTPRINT_BYTES = 96L * 1024 * 1024;
    /** Once warm, the heap must not keep growing while the backlog is worked through. */
    private static final long MAX_DRIFT_BYTES = 16L * 1024 * 1024;

    @Test
    void workerMemoryStaysBoundedUnderAHugeBacklogAndASlowProvider(ClusterInfo cluster) throws Exception {
        int backlog = Boolean.getBoolean("promptq.it.large") ? 1_000_000 : 200_000;
        try (WorkerItKit kit = WorkerItKit.create(cluster, "backlog", PARTITIONS, 1)) {
            long producedIn = produce(kit, backlog);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            long baseline = usedAfterGc(memory);

            WorkerService worker = kit.start("w1", Map.of(
                    WorkerConfig.PARTITION_CONCURRENCY.name(), Integer.toString(K),
                    WorkerConfig.MAX_IN_FLIGHT.name(), "100",
                    WorkerConfig.BUFFER_PER_PARTITION.name(), Integer.toString(BUFFER)),
                    ItProvider.withLatency(Duration.ofMillis(500)));
            int[] max = new int[2];
            watch(worker, Duration.ofSeconds(4), max);
            long warm = usedAfterGc(memory);
            long completedWarm = worker.stats().completed();
            watch(worker, Duration.ofSeconds(8), max);
            long after = usedAfterGc(memory);
            WorkerStats stats = worker.stats();
            log.info("Backlog of {} jobs (produced in {} ms): the worker fetched {} and completed {} ({} in the last 8 s), "
                    + "held at most {} buffered and {} running; heap used {} MiB before the worker, {} MiB warm, {} MiB "
                    + "8 s later (footprint {} MiB, drift {} MiB)",
                    backlog, producedIn, stats.fetched(), stats.completed(), stats.completed() - completedWarm, max[0],
                    max[1], baseline >> 20, warm >> 20, after >> 20, (after - baseline) >> 20, (after - warm) >> 20);

            assertThat(max[1]).isLessThanOrEqualTo(PARTITIONS * K);
            assertThat(max[0]).isLessThanOrEqualTo(2 * PARTITIONS * BUFFER);
            assertThat(stats.completed() - completedWarm).as("work done while measuring").isGreaterThan(500);
            assertThat(stats.fetched()).as("the backlog stays in the broker").isLessThan(backlog / 20);
            assertThat(after - warm).as("heap drift while working through the backlog").isLessThan(MAX_DRIFT_BYTES);
            assertThat(after - baseline).as("the worker's whole footprint").isLessThan(MAX_FOOTPRINT_BYTES);
        }
    }

    /** Produces {@code count} copies of one small serialized job under distinct keys, as fast as possible. */
    private static long produce(WorkerItKit kit, int count) {
        long start = System.nanoTime();
        byte[] value = kit.topics.jobs().valueSerializer().serialize(kit.names.jobs(), WorkerItKit.job("backlog"));
        Map<String, Object> config = KafkaSettings.of(kit.cluster.bootstrapServers()).producerConfig(kit.prefix + "-bulk");
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(kit.names.jobs(), ("b-" + i).getBytes(StandardCharsets.UTF_8), value));
            }
            producer.flush();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Samples the worker for {@code duration}; keeps the peaks of buffered records and running jobs in {@code max}. */
    private static void watch(WorkerService worker, Duration duration, int[] max) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            WorkerStats s = worker.stats();
            max[0] = Math.max(max[0], s.buffered());
            max[1] = Math.max(max[1], s.inFlight());
            Thread.sleep(50);
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
