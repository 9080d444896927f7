package io.promptq.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.client.ClientConfig;
import io.promptq.client.ValidationRules;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Duration;
import java.util.List;
import io.promptq.testkit.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Shared set-up of the producer's integration tests: a unique jobs topic and a reader for it. */
final class ItSupport {

    private ItSupport() {}

    /** Topic names with a fresh jobs topic, so tests sharing the cluster never see each other's records. */
    static TopicNames uniqueTopics(String testName) {
        return new TopicNames(UniqueNames.of("promptq.jobs." + testName), TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS);
    }

    /** A service configuration on a free port for {@code bootstrap} and {@code registryUrl}. */
    static ProducerServiceConfig config(String bootstrap, String registryUrl, TopicNames topics, ValidationRules rules,
            Duration sendTimeout) {
        ClientConfig client = ClientConfig.of(KafkaSettings.of(bootstrap), RegistryConfig.of(registryUrl))
                .toBuilder().topics(topics).rules(rules).sendTimeout(sendTimeout).clientId("producer-it").build();
        return ProducerServiceConfig.defaults(client).toBuilder().httpPort(0).createTopics(true).topicPartitions(3).build();
    }

    /** Reads the record at {@code partition}/{@code offset} of {@code topic} with a plain consumer and our deserializer. */
    static ConsumerRecord<String, PromptJob> readAt(String bootstrap, String registryUrl, String topic, int partition,
            long offset) {
        try (SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(registryUrl))) {
            Topic<String, PromptJob> jobs = Topics.create(new TopicNames(topic, TopicNames.DEFAULT_RETRY_PREFIX,
                    TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                    TopicNames.DEFAULT_WINDOWS), registry, false).jobs();
            return TopicReader.recordAt(bootstrap, new TopicPartition(topic, partition), offset,
                    jobs.keyDeserializer(), jobs.valueDeserializer());
        }
    }

    /** Total records in {@code topic}. */
    static long recordCount(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                KafkaSettings.of(bootstrap).consumerConfig(UniqueNames.of("it"), "it-counter"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
