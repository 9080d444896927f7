package io.promptq.cli.internal;

import io.promptq.batch.BatchConfig;
import io.promptq.files.FilesConfig;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.batch.BatchConfig;
import io.promptq.config.ConfigSource;
import io.promptq.files.FilesConfig;
import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.lifecycle.Closeables;
import io.promptq.llm.LlmProvider;
import io.promptq.local.Directories;
import io.promptq.local.LocalCluster;
import io.promptq.metrics.Metrics;
import io.promptq.producer.ProducerService;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import io.promptq.worker.WorkerConfig;
import io.promptq.worker.WorkerService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The whole promptq system in this JVM, on a real local Kafka broker and schema registry: topics, an
 * aggregator, N workers (one consumer group) and optionally the producer's HTTP API. Used by
 * {@code demo}, {@code up} and {@code bench}; closing it stops everything and removes its data.
 */
public final class LocalStack implements AutoCloseable {

    /** Reports a resource that failed to stop on the terminal; stopping goes on with the next one. */
    private static final BiConsumer<AutoCloseable, Exception> REPORT_STOP_FAILURE = (resource, e) -> System.err.println(
            "promptq: error while stopping " + resource.getClass().getSimpleName() + ": " + e.getMessage());

    /**
     * What to start.
     *
     * @param workers worker instances (consumers in one group)
     * @param partitions partitions of the jobs, retry and results topics
     * @param env configuration entries applied over the process environment for every service
     * @param producer start the producer's HTTP API
     * @param producerPort its port (0 = any)
     * @param aggregatorPort the aggregator's query API port (0 = any)
     * @param workerHttp serve each worker's health and metrics on a free port
     */
    public record Options(int workers, int partitions, Map<String, String> env, boolean producer, int producerPort,
            int aggregatorPort, boolean workerHttp) {
        public Options {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, but was " + workers);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, but was " + partitions);
            }
            env = Map.copyOf(env);
        }
    }

    private final Options options;
    private final Consumer<String> log;
    private final LocalCluster cluster;
    private final Path stateDir;
    private final ConfigSource config;
    private final SchemaRegistryClient registry;
    private final Topics topics;
    private final int retryTiers;
    private final List<WorkerService> workers = new CopyOnWriteArrayList<>();
    private final LlmProvider sharedProvider;
    private AggregatorService aggregator;
    private ProducerService producer;
    private int nextWorker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread stopAtExit = new Thread(this::close, "promptq-stack-stop");

    private LocalStack(Options options, Consumer<String> log, LlmProvider sharedProvider) {
        this.options = options;
        this.log = log;
        this.sharedProvider = sharedProvider;
        log.accept("Starting a local Kafka broker (KRaft) and schema registry ...");
        // The stack stops its services before the broker at JVM exit (Ctrl-C), so the broker must not stop itself
        // from a hook of its own running at the same time.
        this.cluster = LocalCluster.start(LocalCluster.Options.builder().kafkaShutdownHook(false).build());
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        log.accept(String.format("  Kafka %s and registry %s ready in %.1f s",
                cluster.bootstrapServers(), cluster.schemaRegistryUrl(), cluster.startupTime().toMillis() / 1000.0));
        try {
            this.stateDir = Files.createTempDirectory("promptq-stack-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(options.env());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(WorkerConfig.HTTP_HOST.name(), "127.0.0.1");
        env.put(WorkerConfig.CREATE_TOPICS.name(), "false");
        env.put(ProducerServiceConfig.CREATE_TOPICS.name(), "false");
        env.put(AggregatorConfig.CREATE_TOPICS.name(), "false");
        env.put(AggregatorConfig.STATE_DIR.name(), stateDir.resolve("aggregator").toString());
        this.config = ConfigSource.of(env);
        this.registry = SchemaRegistryClient.create(SchemaRegistryKeys.from(config));
        this.topics = Topics.create(TopicNames.from(config), registry, true);
        this.retryTiers = WorkerConfig.from(config).retryDelays().size();
        createTopics();
    }

    /**
     * Starts a stack. {@code provider}, when given, is shared by every worker (so a test or demo can
     * observe or steer it); otherwise each worker builds its own from the configuration.
     */
    public static LocalStack start(Options options, Optional<LlmProvider> provider, Consumer<String> log) {
        LocalStack stack = new LocalStack(options, log, provider.orElse(null));
        try {
            stack.startServices();
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Every promptq topic as the services would create it ({@link TopicSpecs}), with the stack's partitions, one
     * replica, the aggregator's window retention for the windows topic, the idempotency window for the ledger and
     * the job status retention for the lifecycle topics (status, cancellations), the workers' status topic and the
     * console's audit and dead-letter marks topics, and the Batch API's batches, files and file index:
     * the same configuration whichever creates it first.
     */
    static List<TopicSpec> topicSpecs(ConfigSource config, int partitions, int retryTiers) {
        TopicSpecs specs = new TopicSpecs(TopicNames.from(config), partitions, Optional.of((short) 1));
        List<TopicSpec> all = new ArrayList<>(specs.all(retryTiers, WorkerConfig.from(config).longestRetryDelay(),
                AggregatorConfig.from(config).windowRetention(), Idempotency.WINDOW.read(config)));
        all.addAll(specs.lifecycle(JobLifecycle.RETENTION.read(config)));
        all.addAll(specs.console());
        all.addAll(specs.batchApi(FilesConfig.from(config).retention(), BatchConfig.from(config).retention()));
        return all;
    }

    private void createTopics() {
        TopicProvisioner.create(cluster.admin()).ensure(topicSpecs(config, options.partitions(), retryTiers));
    }

    private void startServices() {
        log.accept("Starting the aggregator (Kafka Streams) ...");
        aggregator = AggregatorService.start(
                AggregatorConfig.from(config.with(AggregatorConfig.HTTP_PORT.name(), Integer.toString(options.aggregatorPort()))),
                Metrics.prometheus("aggregator-service", "aggregator-1"));
        log.accept("Starting " + options.workers() + " workers in consumer group '" + WorkerConfig.from(config).groupId() + "' ...");
        for (int i = 0; i < options.workers(); i++) {
            addWorker();
        }
        if (options.producer()) {
            producer = ProducerService.start(
                    ProducerServiceConfig.from(config.with(Map.of(
                            ProducerServiceConfig.HTTP_PORT.name(), Integer.toString(options.producerPort()),
                            ProducerServiceConfig.AGGREGATOR_URL.name(), aggregator.url().toString()))),
                    Metrics.prometheus("producer-service", "producer-1"));
        }
        aggregator.awaitRunning();
    }

    /** Starts one more worker in the group and returns it. */
    public synchronized WorkerService addWorker() {
        String id = "worker-" + (++nextWorker);
        ConfigSource workerConfig = config.with(Map.of(
                WorkerConfig.WORKER_ID.name(), id,
                WorkerConfig.HTTP_ENABLED.name(), Boolean.toString(options.workerHttp()),
                WorkerConfig.HTTP_PORT.name(), "0"));
        WorkerConfig cfg = WorkerConfig.from(workerConfig);
        WorkerService worker = sharedProvider == null
                ? WorkerService.start(cfg, Metrics.prometheus("worker-service", id))
                : WorkerService.start(cfg, sharedProvider, Metrics.prometheus("worker-service", id));
        workers.add(worker);
        return worker;
    }

    /** Stops the most recently started worker gracefully (its partitions move to the others). */
    public synchronized void removeWorker() {
        if (!workers.isEmpty()) {
            workers.remove(workers.size() - 1).close();
        }
    }

    public LocalCluster cluster() {
        return cluster;
    }

    /** The configuration every service of this stack was built from. */
    public ConfigSource config() {
        return config;
    }

    public KafkaSettings kafka() {
        return KafkaSettings.from(config);
    }

    public Topics topics() {
        return topics;
    }

    public int retryTiers() {
        return retryTiers;
    }

    public AggregatorService aggregator() {
        return aggregator;
    }

    public List<WorkerService> workers() {
        return List.copyOf(workers);
    }

    public Optional<ProducerService> producer() {
        return Optional.ofNullable(producer);
    }

    /** Stops everything and removes the stack's data; idempotent, so a shutdown hook may call it too. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != stopAtExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException | IllegalArgumentException exitingOrNotRegistered) {
                // the JVM is exiting anyway, or the hook was never registered
            }
        }
        Closeables.closeQuietly(producer, REPORT_STOP_FAILURE);
        workers.parallelStream().forEach(w -> Closeables.closeQuietly(w, REPORT_STOP_FAILURE));
        workers.clear();
        Closeables.closeQuietly(aggregator, REPORT_STOP_FAILURE);
        Closeables.closeQuietly(registry, REPORT_STOP_FAILURE);
        Closeables.closeQuietly(cluster, REPORT_STOP_FAILURE);
        if (!Directories.deleteRecursively(stateDir)) {
            System.err.println("promptq: could not remove all of " + stateDir);
        }
    }
}
