package io.promptq.worker;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmProvider;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobResult;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plumbing shared by the worker ITs: unique topics and group per test, workers on the shared cluster, a job
 * producer and a reader of the results, dead-letter and retry topics.
 */
final class WorkerItKit implements AutoCloseable {

    final ClusterInfo cluster;
    final String prefix;
    final TopicNames names;
    final int partitions;
    final int tiers;
    final String groupId;
    final SchemaRegistryClient registry;
    final Topics topics;
    private final List<WorkerService> workers = new CopyOnWriteArrayList<>();
    private final Map<WorkerService, PrometheusMeterRegistry> registries = new ConcurrentHashMap<>();
    private KafkaProducer<String, PromptJob> producer;
    private KafkaProducer<byte[], byte[]> rawProducer;
    private Outcomes outcomes;

    private WorkerItKit(ClusterInfo cluster, String name, int partitions, int tiers) {
        this.cluster = cluster;
        this.prefix = UniqueNames.of("it-" + name);
        this.names = new TopicNames(prefix + ".jobs", prefix + ".retry", prefix + ".dlq", prefix + ".results",
                prefix + ".totals", prefix + ".windows");
        this.partitions = partitions;
        this.tiers = tiers;
        this.groupId = prefix + "-workers";
        List<String> all = new ArrayList<>(List.of(names.jobs(), names.deadLetters(), names.results()));
        all.addAll(names.retries(tiers));
        cluster.createTopics(partitions, all.toArray(String[]::new));
        this.registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
        this.topics = Topics.create(names, registry, true);
    }

    static WorkerItKit create(ClusterInfo cluster, String name, int partitions, int tiers) {
        return new WorkerItKit(cluster, name, partitions, tiers);
    }

    /** Environment of a worker of this test: its topics and group, short timings, no HTTP, no topic creation. */
    Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>();
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.putAll(names.toConfig());
        env.put(WorkerConfig.GROUP_ID.name(), groupId);
        env.put(WorkerConfig.CREATE_TOPICS.name(), "false");
        env.put(WorkerConfig.HTTP_ENABLED.name(), "false");
        env.put(WorkerConfig.COMMIT_INTERVAL.name(), "200ms");
        env.put(WorkerConfig.POLL_TIMEOUT.name(), "100ms");
        env.put(WorkerConfig.SHUTDOWN_GRACE.name(), "10s");
        env.put(WorkerConfig.REVOKE_TIMEOUT.name(), "5s");
        env.put(WorkerConfig.RETRY_DELAYS.name(), String.join(",", java.util.Collections.nCopies(tiers, "1s")));
        env.putAll(overrides);
        return env;
    }

    WorkerConfig config(String workerId, Map<String, String> overrides) {
        Map<String, String> env = env(overrides);
        env.put(WorkerConfig.WORKER_ID.name(), workerId);
        return WorkerConfig.from(ConfigSource.of(env));
    }

    WorkerService start(WorkerConfig config, LlmProvider provider) {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerService worker = WorkerService.start(config, provider, meters);
        workers.add(worker);
        registries.put(worker, meters);
        return worker;
    }

    /** The meter registry of {@code worker}. */
    PrometheusMeterRegistry meters(WorkerService worker) {
        return registries.get(worker);
    }

    /** Partitions of {@code worker} paused now for {@code reason} (read from its gauge). */
    int paused(WorkerService worker, io.promptq.worker.kafka.PauseReason reason) {
        io.micrometer.core.instrument.Gauge g = meters(worker).find(io.promptq.worker.metrics.WorkerMetricNames.PARTITIONS_PAUSED)
                .tag(io.promptq.worker.metrics.WorkerMetricNames.TAG_REASON, reason.tag()).gauge();
        return g == null ? -1 : (int) g.value();
    }

    WorkerService start(String workerId, Map<String, String> overrides, LlmProvider provider) {
        return start(config(workerId, overrides), provider);
    }

    // ------------------------------------------------------------------ producing

    static PromptJob job(String id) {
        return TestJobs.job(id, "it-model", Instant.now(), null);
    }

    RecordMetadata send(PromptJob job, Integer partition) {
        try {
            return producer().send(new ProducerRecord<>(names.jobs(), partition, job.getJobId(), job)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot produce " + job.getJobId(), e);
        }
    }

    /** Produces {@code count} jobs {@code <idPrefix>-<i>} (spread by key), returns their ids. */
    List<String> sendJobs(String idPrefix, int count) {
        List<String> ids = new ArrayList<>(count);
        List<java.util.concurrent.Future<RecordMetadata>> acks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            PromptJob job = job(idPrefix + "-" + i);
            ids.add(job.getJobId());
            acks.add(producer().send(new ProducerRecord<>(names.jobs(), job.getJobId(), job)));
        }
        producer().flush();
        for (java.util.concurrent.Future<RecordMetadata> ack : acks) {
            try {
                ack.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return ids;
    }

    RecordMetadata sendRaw(String topic, Integer partition, byte[] key, byte[] value) {
        try {
            return rawProducer().send(new ProducerRecord<>(topic, partition, key, value)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized KafkaProducer<String, PromptJob> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig(prefix + "-jobs"), new StringSerializer(),
                    topics.jobs().valueSerializer());
        }
        return producer;
    }

    synchronized KafkaProducer<byte[], byte[]> rawProducer() {
        if (rawProducer == null) {
            rawProducer = new KafkaProducer<>(producerConfig(prefix + "-raw"), new ByteArraySerializer(),
                    new ByteArraySerializer());
        }
        return rawProducer;
    }

    /**
     * Idempotent, one request in flight: right after topic creation the embedded broker may answer a first produce
     * with NOT_LEADER_OR_FOLLOWER while accepting the next batch, which leaves an idempotent producer with several
     * requests in flight retrying OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout.
     */
    Map<String, Object> producerConfig(String clientId) {
        Map<String, Object> config = KafkaSettings.of(cluster.bootstrapServers()).producerConfig(clientId);
        config.put(org.apache.kafka.clients.producer.ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return config;
    }

    // ------------------------------------------------------------------ reading

    /** Starts (once) a background reader of the results, dead-letter and retry topics. */
    synchronized Outcomes outcomes() {
        if (outcomes == null) {
            outcomes = new Outcomes();
        }
        return outcomes;
    }

    /** The group's committed offsets. */
    Map<TopicPartition, Long> committed() {
        Map<TopicPartition, Long> result = new HashMap<>();
        committedWithMetadata().forEach((tp, o) -> result.put(tp, o.offset()));
        return result;
    }

    /** The group's committed offsets with their metadata. */
    Map<TopicPartition, OffsetAndMetadata> committedWithMetadata() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = cluster.admin().listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
            offsets.forEach((tp, o) -> {
                if (o != null) {
                    result.put(tp, o);
                }
            });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** End offsets of the jobs topic. */
    Map<TopicPartition, Long> jobsEndOffsets() {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(names.jobs(), p), OffsetSpec.latest());
        }
        try {
            Map<TopicPartition, Long> result = new HashMap<>();
            cluster.admin().listOffsets(request).all().get(30, TimeUnit.SECONDS)
                    .forEach((tp, info) -> result.put(tp, info.offset()));
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (WorkerService w : workers) {
            try {
                w.close();
            } catch (RuntimeException e) {
                // best effort
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (rawProducer != null) {
            rawProducer.close(Duration.ofSeconds(5));
        }
        if (outcomes != null) {
            outcomes.close();
        }
        registry.close();
    }

    /** A dead letter as read, with its record headers. */
    record Letter(DeadLetter letter, Headers headers, long readAt) {}

    /** A retry record as read. */
    record Retry(RetryJob retry, String topic, long readAt) {}

    /** Everything the workers published, read back continuously. */
    final class Outcomes implements AutoCloseable {
        final Map<String, List<JobResult>> results = new ConcurrentHashMap<>();
        final Queue<Letter> deadLetters = new ConcurrentLinkedQueue<>();
        final Queue<Retry> retries = new ConcurrentLinkedQueue<>();
        private volatile boolean closed;
        private final Thread thread;

        Outcomes() {
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                    KafkaSettings.of(cluster.bootstrapServers()).consumerConfig(prefix + "-reader", prefix + "-reader"),
                    new StringDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> tps = new ArrayList<>();
            List<String> read = new ArrayList<>(List.of(names.results(), names.deadLetters()));
            read.addAll(names.retries(tiers));
            for (String topic : read) {
                for (int p = 0; p < partitions; p++) {
                    tps.add(new TopicPartition(topic, p));
                }
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            thread = Thread.ofPlatform().name(prefix + "-reader").start(() -> {
                try (consumer) {
                    while (!closed) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            accept(r);
                        }
                    }
                }
            });
        }

        private void accept(ConsumerRecord<String, byte[]> r) {
            try {
                decode(r);
            } catch (RuntimeException e) {
                // e.g. garbage a test put on a retry topic itself
            }
        }

        private void decode(ConsumerRecord<String, byte[]> r) {
            long now = System.currentTimeMillis();
            if (r.topic().equals(names.results())) {
                JobResult result = topics.results().valueDeserializer().deserialize(r.topic(), r.value());
                results.computeIfAbsent(result.getJobId(), k -> new CopyOnWriteArrayList<>()).add(result);
            } else if (r.topic().equals(names.deadLetters())) {
                deadLetters.add(new Letter(topics.deadLetters().valueDeserializer().deserialize(r.topic(), r.value()),
                        r.headers(), now));
            } else {
                retries.add(new Retry(topics.retry(0).valueDeserializer().deserialize(r.topic(), r.value()), r.topic(), now));
            }
        }

        int distinct() {
            return results.size();
        }

        long total() {
            return results.values().stream().mapToLong(List::size).sum();
        }

        JobResult result(String jobId) {
            List<JobResult> list = results.get(jobId);
            return list == null ? null : list.get(list.size() - 1);
        }

        boolean hasAll(List<String> jobIds) {
            for (String id : jobIds) {
                if (!results.containsKey(id)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() {
            closed = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
