package io.promptq.aggregator;

import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStats;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Shared set-up of the aggregator's integration tests: unique topics, configs, a producer, a totals reader. */
final class ItSupport implements AutoCloseable {

    final ClusterInfo cluster;
    final String suffix = UniqueNames.suffix();
    final TopicNames names;
    final SchemaRegistryClient registry;
    final Topics topics;
    private final KafkaProducer<String, JobResult> producer;
    private final KafkaProducer<String, JobStateChange> statusProducer;

    ItSupport(ClusterInfo cluster) {
        this.cluster = cluster;
        this.names = new TopicNames("jobs-" + suffix, "retry-" + suffix, "dlq-" + suffix, "results-" + suffix,
                "totals-" + suffix, "windows-" + suffix);
        this.registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        this.topics = Topics.create(names, registry, true);
        this.producer = new KafkaProducer<>(KafkaSettings.of(cluster.bootstrapServers()).producerConfig("it-" + suffix),
                topics.results().keySerializer(), topics.results().valueSerializer());
        this.statusProducer = new KafkaProducer<>(
                KafkaSettings.of(cluster.bootstrapServers()).producerConfig("it-status-" + suffix),
                topics.status().keySerializer(), topics.status().valueSerializer());
    }

    /** Writes state changes to the status topic, keyed by job id, as submitters and workers do. */
    void publishStates(JobStateChange... changes) {
        for (JobStateChange change : changes) {
            statusProducer.send(new ProducerRecord<>(names.status(), change.getJobId(), change));
        }
        statusProducer.flush();
    }

    /** The environment of an aggregator instance of application {@code appId} for this test's topics. */
    Map<String, String> environment(String appId, Path stateDir) {
        Map<String, String> env = new HashMap<>();
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.putAll(names.toConfig());
        env.put(AggregatorConfig.APPLICATION_ID.name(), appId);
        env.put(AggregatorConfig.STATE_DIR.name(), stateDir.toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "3");
        return env;
    }

    AggregatorConfig config(String appId, Path stateDir) {
        return AggregatorConfig.from(ConfigSource.of(environment(appId, stateDir)));
    }

    void publish(Collection<JobResult> results) {
        for (JobResult result : results) {
            producer.send(new ProducerRecord<>(names.results(), result.getJobId(), result));
        }
        producer.flush();
    }

    /**
     * Reads the totals topic (read-committed, from the start) until the latest record of every key satisfies
     * {@code done}, and returns the latest record per key.
     */
    Map<String, JobStats> readTotalsUntil(Predicate<Map<String, JobStats>> done, Duration timeout) {
        Map<String, Object> props = KafkaSettings.of(cluster.bootstrapServers())
                .consumerConfig(UniqueNames.of("totals-reader"), "totals-reader");
        Map<String, JobStats> latest = new HashMap<>();
        try (KafkaConsumer<String, JobStats> consumer = new KafkaConsumer<>(props, topics.totals().keyDeserializer(),
                topics.totals().valueDeserializer())) {
            consumer.subscribe(List.of(names.totals()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, JobStats> record : consumer.poll(Duration.ofMillis(200))) {
                    latest.put(record.key(), record.value());
                }
                if (done.test(latest)) {
                    return latest;
                }
            }
        }
        throw new AssertionError("the totals topic did not reach the expected state within " + timeout + ": " + latest);
    }

    @Override
    public void close() {
        producer.close();
        statusProducer.close();
        registry.close();
    }
}
