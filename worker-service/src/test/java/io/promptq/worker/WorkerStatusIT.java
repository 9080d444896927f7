package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.WorkerPartitionStatus;
import io.promptq.schema.WorkerStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The worker's status records on the real broker: its partitions, a pause with its reason, the tombstone at close. */
@PromptqCluster
class WorkerStatusIT {

    @Test
    void runningWorkerPublishesItsPartitionsAndWhyOneIsPausedAndATombstoneWhenItStops(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "status", 2, 1);
                StatusReader statuses = new StatusReader(kit)) {
            CountDownLatch release = new CountDownLatch(1);
            ItProvider provider = new ItProvider((request, attempt) -> {
                if (request.jobId().startsWith("stuck")) {
                    release.await();
                }
                return ItProvider.ok(request, Duration.ofMillis(5));
            });
            for (int i = 0; i < 4; i++) {
                kit.send(WorkerItKit.job("stuck-" + i), 0);
            }
            WorkerService worker = kit.start("w1", Map.of(WorkerConfig.STATUS_INTERVAL.name(), "300ms",
                    WorkerConfig.PARTITION_CONCURRENCY.name(), "2", WorkerConfig.BUFFER_PER_PARTITION.name(), "2"),
                    provider);
            try {
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                    assertThat(statuses.latest("w1")).as("status of w1").isPresent();
                    WorkerStatus status = statuses.latest("w1").get();
                    assertThat(status.getPartitions()).extracting(p -> p.getTopic() + "-" + p.getPartition())
                            .containsExactly(kit.names.jobs() + "-0", kit.names.jobs() + "-1",
                                    kit.names.retry(0) + "-0", kit.names.retry(0) + "-1");
                    WorkerPartitionStatus stuck = status.getPartitions().get(0);
                    assertThat(stuck.getInFlight()).isEqualTo(2);
                    assertThat(stuck.getPermits()).isZero();
                    assertThat(stuck.getPaused()).isTrue();
                    assertThat(stuck.getPauseReason()).isEqualTo("PERMITS");
                    assertThat(status.getPartitions().get(1).getPaused()).isFalse();
                    assertThat(status.getInFlight()).isEqualTo(2);
                    assertThat(status.getGroupId()).isEqualTo(kit.groupId);
                    assertThat(status.getIntervalMs()).isEqualTo(300);
                });
            } finally {
                release.countDown();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> kit.outcomes().hasAll(
                    List.of("stuck-0", "stuck-1", "stuck-2", "stuck-3")));

            worker.close();

            await().atMost(Duration.ofSeconds(60)).until(() -> statuses.tombstoned("w1"));
        }
    }

    @Test
    void crashedWorkerLeavesItsLastStatusWithoutATombstone(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "status-crash", 1, 1);
                StatusReader statuses = new StatusReader(kit)) {
            WorkerService worker = kit.start("w-crash", Map.of(WorkerConfig.STATUS_INTERVAL.name(), "200ms"),
                    ItProvider.withLatency(Duration.ofMillis(5)));
            await().atMost(Duration.ofSeconds(90)).until(() -> statuses.latest("w-crash")
                    .filter(s -> s.getPartitions().size() == 2).isPresent());

            worker.crash();
            long seen = statuses.records.get();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> statuses.latest("w-crash").isPresent());

            assertThat(statuses.tombstoned("w-crash")).isFalse();
            assertThat(statuses.records.get() - seen).as("records after the crash").isLessThanOrEqualTo(1);
        }
    }

    /** Reads the workers topic from its start on a thread of its own; the latest value per worker id. */
    static final class StatusReader implements AutoCloseable {
        final Map<String, Optional<WorkerStatus>> latest = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong records = new java.util.concurrent.atomic.AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        StatusReader(WorkerItKit kit) {
            String topic = kit.names.workers();
            kit.cluster.createTopics(1, topic);
            Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kit.cluster.bootstrapServers(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            KafkaConsumer<String, WorkerStatus> consumer = new KafkaConsumer<>(props,
                    kit.topics.workers().keyDeserializer(), kit.topics.workers().valueDeserializer());
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
            thread = Thread.ofPlatform().name("status-reader").daemon().start(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<String, WorkerStatus> r : consumer.poll(Duration.ofMillis(100))) {
                            latest.put(r.key(), Optional.ofNullable(r.value()));
                            records.incrementAndGet();
                        }
                    }
                }
            });
        }

        Optional<WorkerStatus> latest(String workerId) {
            return latest.getOrDefault(workerId, Optional.empty());
        }

        boolean tombstoned(String workerId) {
            return latest.containsKey(workerId) && latest.get(workerId).isEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
