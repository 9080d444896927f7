package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.JobResult;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WorkerMain} as a child process: SIGTERM ({@link Process#destroy()}) stops intake, lets running jobs finish,
 * commits and exits with status 0; every job below the committed offsets has a result, and a new worker finishes
 * the rest - nothing is lost.
 */
@PromptqCluster
class GracefulShutdownIT {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdownIT.class);
    private static final int JOBS = 120;

    @Test
    void sigtermDrainsCommitsAndExitsZeroWithNothingLost(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "sigterm", 3, 1)) {
            List<String> ids = kit.sendJobs("term", JOBS);
            Map<String, String> env = kit.env(Map.of(
                    WorkerConfig.WORKER_ID.name(), "child",
                    WorkerConfig.PARTITION_CONCURRENCY.name(), "4",
                    WorkerConfig.SHUTDOWN_GRACE.name(), "20s",
                    WorkerConfig.HTTP_ENABLED.name(), "true",
                    WorkerConfig.HTTP_PORT.name(), "0",
                    "PROMPTQ_LLM_PROVIDER", "simulated",
                    "PROMPTQ_LLM_SIM_LATENCY", "fixed:400ms"));
            Path logFile = Files.createTempFile("promptq-worker-child", ".log"); // kept only if the test fails
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    "io.promptq.worker.WorkerMain");
            pb.environment().clear();
            pb.environment().putAll(env);
            pb.redirectErrorStream(true).redirectOutput(logFile.toFile());
            Process child = pb.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().distinct() >= 20);
                int before = kit.outcomes().distinct();
                child.destroy(); // SIGTERM
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
                int exit = child.exitValue();
                log.info("Child exited with {} after SIGTERM; {} results before, {} after; log {}", exit, before,
                        kit.outcomes().distinct(), logFile);
                assertThat(exit).as("exit status, see " + logFile).isZero();
                assertThat(Files.readString(logFile)).contains("Received SIGTERM").contains("Worker child stopped");
            } finally {
                child.destroyForcibly();
            }

            Map<TopicPartition, Long> committed = kit.committed();
            Map<String, Long> offsetOf = offsets(kit);
            Thread.sleep(500); // let the reader catch up with the last results
            int belowCommitted = 0;
            for (Map.Entry<String, Long> e : offsetOf.entrySet()) {
                TopicPartition tp = new TopicPartition(kit.names.jobs(), partitionOf(kit, e.getKey()));
                long c = committed.getOrDefault(tp, 0L);
                if (e.getValue() < c) {
                    belowCommitted++;
                    assertThat(kit.outcomes().results).as("job %s at offset %d below the committed %d", e.getKey(), e.getValue(), c)
                            .containsKey(e.getKey());
                }
            }
            log.info("{} of {} jobs below the committed offsets {}, all with a result", belowCommitted, JOBS, committed);
            assertThat(belowCommitted).isGreaterThanOrEqualTo(20);
            assertThat(kit.outcomes().total()).as("no job finished twice").isEqualTo(kit.outcomes().distinct());

            kit.start("successor", Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "10"), ItProvider.withLatency(Duration.ofMillis(5)));
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(ids));
            List<JobResult> byChild = new ArrayList<>();
            kit.outcomes().results.values().forEach(list -> list.stream().filter(r -> r.getWorkerId().equals("child")).forEach(byChild::add));
            assertThat(byChild).hasSizeGreaterThanOrEqualTo(belowCommitted);
            Files.deleteIfExists(logFile);
        }
    }

    private final Map<String, Integer> partitions = new HashMap<>();

    private int partitionOf(WorkerItKit kit, String id) {
        return partitions.get(id);
    }

    /** Offset and partition of every job, read back from the jobs topic. */
    private Map<String, Long> offsets(WorkerItKit kit) {
        Map<String, Long> offsets = new HashMap<>();
        Map<String, Object> config = io.promptq.kafka.KafkaSettings.of(kit.cluster.bootstrapServers())
                .consumerConfig(kit.prefix + "-scan", kit.prefix + "-scan");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < kit.partitions; p++) {
                tps.add(new TopicPartition(kit.names.jobs(), p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (offsets.size() < JOBS && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    String id = new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
                    offsets.put(id, r.offset());
                    partitions.put(id, r.partition());
                }
            }
        }
        assertThat(offsets).hasSize(JOBS);
        return offsets;
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
    }
}
