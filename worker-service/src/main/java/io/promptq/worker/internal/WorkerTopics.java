package io.promptq.worker.internal;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.topic.TopicSpecs;
import io.promptq.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics the worker reads and writes, if missing ({@link WorkerConfig#CREATE_TOPICS}): jobs, the
 * retry tiers (retention well past {@link WorkerConfig#longestRetryDelay}), dead letters, results and the
 * idempotency ledger (compacted, retention = the idempotency window), the lifecycle topics (status and
 * cancellations, {@link TopicSpecs#lifecycle}), the workers' status topic ({@link TopicSpecs#workers}), with the configured replication and
 * {@code min.insync.replicas}, shaped by {@link TopicSpecs} and created by the shared {@link
 * TopicProvisioner}, which returns once their partitions are served (or fails the start-up after {@link
 * TopicProvisioner#DEFAULT_TIMEOUT}, naming the topic).
 */
final class WorkerTopics {

    private WorkerTopics() {}

    static void ensure(WorkerConfig config) {
        Optional<Short> replication = config.topicReplication() < 0 ? Optional.empty()
                : Optional.of((short) config.topicReplication());
        Optional<Integer> minInSync = config.topicMinInSyncReplicas() < 0 ? Optional.empty()
                : Optional.of(config.topicMinInSyncReplicas());
        TopicSpecs specs = new TopicSpecs(config.topics(), config.topicPartitions(), replication, minInSync);
        try (Admin admin = Admin.create(config.kafka().adminConfig(config.workerId() + "-admin"))) {
            List<TopicSpec> topics = new ArrayList<>(specs.worker(config.retryDelays().size(),
                    config.longestRetryDelay()));
            topics.add(specs.idempotency(config.idempotencyWindow()));
            topics.addAll(specs.lifecycle(config.jobStatusRetention()));
            topics.add(specs.workers());
            TopicProvisioner.create(admin).ensure(topics);
        }
    }
}
