package io.promptq.aggregator.internal;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import java.time.Duration;
import java.util.ArrayList;
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
            int partitions, Duration windowRetention, boolean webhooks, Duration timeout) {
        TopicSpecs topicSpecs = TopicSpecs.of(names, partitions);
        List<TopicSpec> specs = new ArrayList<>(topicSpecs.aggregator(windowRetention));
        specs.add(topicSpecs.deadLetters()); // read for the count of undecodable records
        specs.add(new TopicSpec(deadLetterTopic, partitions, Optional.empty(), Map.of()));
        if (webhooks) {
            specs.add(topicSpecs.webhookDeadLetters());
        }
        try (Admin admin = Admin.create(adminConfig)) {
            TopicProvisioner.create(admin, timeout).ensure(specs);
        }
    }
}
