package io.promptq.aggregator.internal;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * Creates the topics the aggregator reads and writes when they are missing: the results topic, the totals
 * topic, the windows topic, the jobs' dead-letter topic (read for undecodable records) and its own dead-letter topic of
 * undecodable results, and the callback dead-letter topic when webhooks are on, shaped by {@link TopicSpecs#aggregator} (so they look the same whoever creates
 * them first) and created by the shared {@link TopicProvisioner}. Existing topics are left as they are.
 */
public final class TopicBootstrap {

    private TopicBootstrap() {}

    /**
     * Creates the missing topics ({@code webhooks}: with the callback dead-letter topic) with {@code partitions} partitions and the broker's default replication, and
     * waits until they are served.
     *
     * @throws io.promptq.kafka.TopicProvisioningException naming the topic, if the broker refuses it or does
     *     not serve it within {@code timeout}
     */
    public static void ensureTopics(Map<String, Object> adminConfig, TopicNames names, String deadLetterTopic,
            int partitions, Duration windowRetention, boolean webhooks, Duration lifecycleRetention, Duration timeout) {
        TopicSpecs topicSpecs = TopicSpecs.of(names, partitions);
        List<TopicSpec> specs = new ArrayList<>(topicSpecs.aggregator(windowRetention));
        specs.add(topicSpecs.deadLetters()); // read for the count of undecodable records
        specs.add(topicSpecs.consoleAudit()); // the console's redrive and purge audit
        specs.add(topicSpecs.deadLetterMarks());
        specs.add(new TopicSpec(deadLetterTopic, partitions, Optional.empty(), Map.of()));
        if (webhooks) {
            specs.add(topicSpecs.webhookDeadLetters());
        }
        try (Admin admin = Admin.create(adminConfig)) {
            TopicProvisioner.create(admin, timeout).ensure(specs);
            // the status topic feeds the job views with the results: created with the results topic's partition count
            int resultsPartitions = admin.describeTopics(List.of(names.results())).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(names.results()).partitions().size();
            TopicProvisioner.create(admin, timeout)
                    .ensure(TopicSpecs.of(names, resultsPartitions).lifecycle(lifecycleRetention));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the results topic " + names.results() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + names.results(), e);
        }
    }

    /**
     * Creates the Batch API's topics ({@link TopicSpecs#batchApi}) when missing: the batches topic the aggregator
     * reads and the files topics its finalizer writes output files to.
     */
    public static void ensureBatchTopics(Map<String, Object> adminConfig, TopicNames names, int partitions,
            Duration fileRetention, Duration batchRetention, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig)) {
            TopicProvisioner.create(admin, timeout).ensure(TopicSpecs.of(names, partitions)
                    .batchApi(fileRetention, batchRetention));
        }
    }

    /**
     * The partition count of {@code topic} (the batches topic: batch jobs' results are repartitioned to it, so that a
     * batch's events and results meet in one task).
     *
     * @throws IllegalStateException naming the topic when it is missing or cannot be described
     */
    public static int partitions(Map<String, Object> adminConfig, String topic, Duration timeout) {
        try (Admin admin = Admin.create(adminConfig)) {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(topic).partitions().size();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the topic " + topic + " (create it, e.g. with "
                    + "PROMPTQ_AGGREGATOR_CREATE_TOPICS=true): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + topic, e);
        }
    }

    /**
     * Fails unless the results topic and the status topic have the same partition count: the job views join them
     * by job id in one task, which needs both keyed and partitioned alike.
     *
     * @throws IllegalStateException naming both topics and their counts
     */
    public static void requireCoPartitioned(Map<String, Object> adminConfig, String results, String status,
            Duration timeout) {
        Map<String, Integer> counts = new HashMap<>();
        try (Admin admin = Admin.create(adminConfig)) {
            admin.describeTopics(List.of(results, status)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((name, description) -> counts.put(name, description.partitions().size()));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot describe the topics " + results + " and " + status
                    + " to check that they are co-partitioned: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while describing " + results + " and " + status, e);
        }
        checkCoPartitioned(results, counts.get(results), status, counts.get(status));
    }

    static void checkCoPartitioned(String results, int resultsPartitions, String status, int statusPartitions) {
        if (resultsPartitions != statusPartitions) {
            throw new IllegalStateException("the results topic " + results + " has " + resultsPartitions
                    + " partitions but the status topic " + status + " has " + statusPartitions
                    + ": the job views need both co-partitioned by job id; recreate " + status + " with "
                    + resultsPartitions + " partitions");
        }
    }
}
