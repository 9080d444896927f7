package io.promptq.worker.internal;

import io.promptq.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the topics the worker reads and writes, if missing ({@link WorkerConfig#CREATE_TOPICS}). */
final class TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {}

    /** Waits (up to 30 s) until every partition of the new topics has a leader, so the first sends do not race it. */
    private static void awaitLeaders(Admin admin, List<String> topics)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (topics.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS);
            boolean ready = descriptions.values().stream()
                    .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("topics " + topics + " have no leaders after 30 s");
            }
            Thread.sleep(100);
        }
    }

    static void ensureTopics(WorkerConfig config) {
        List<String> names = new ArrayList<>();
        names.add(config.topics().jobs());
        names.addAll(config.topics().retries(config.retryDelays().size()));
        names.add(config.topics().deadLetters());
        names.add(config.topics().results());
        Optional<Short> replication = config.topicReplication() < 0 ? Optional.empty()
                : Optional.of((short) config.topicReplication());
        List<NewTopic> topics = names.stream()
                .map(n -> new NewTopic(n, Optional.of(config.topicPartitions()), replication))
                .toList();
        try (Admin admin = Admin.create(config.kafka().adminConfig(config.workerId() + "-admin"))) {
            Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
                try {
                    e.getValue().get(30, TimeUnit.SECONDS);
                    created.add(e.getKey());
                    log.info("Created topic {} ({} partitions)", e.getKey(), config.topicPartitions());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
                    }
                }
            }
            awaitLeaders(admin, created);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics " + names, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot describe topics " + names + ": " + e.getCause(), e.getCause());
        }
    }
}
