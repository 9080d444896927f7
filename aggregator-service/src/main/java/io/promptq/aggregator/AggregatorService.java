package io.promptq.aggregator;

import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.batch.internal.BatchFinalizer;
import io.promptq.aggregator.batch.internal.BatchQueries;
import io.promptq.aggregator.batch.internal.BatchReader;
import io.promptq.aggregator.batch.internal.BatchRoutes;
import io.promptq.aggregator.batch.internal.BatchState;
import io.promptq.aggregator.console.ConsolePages;
import io.promptq.files.FileStore;
import io.promptq.schema.BatchEvent;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.promptq.aggregator.deadletters.internal.DeadLetterReader;
import io.promptq.aggregator.deadletters.internal.DeadLetterRoutes;
import io.promptq.aggregator.deadletters.internal.IndexQueries;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.RegistryStatus;
import io.promptq.aggregator.internal.ResultDeserializationHandler;
import io.promptq.aggregator.internal.SchemaBootstrap;
import io.promptq.aggregator.internal.ThreadFailurePolicy;
import io.promptq.aggregator.internal.TopicBootstrap;
import io.promptq.aggregator.internal.query.Forwarder;
import io.promptq.aggregator.internal.query.InteractiveQueries;
import io.promptq.aggregator.internal.query.QueryRoutes;
import io.promptq.aggregator.fleet.internal.ConsumerLagProbe;
import io.promptq.aggregator.fleet.internal.FleetRoutes;
import io.promptq.aggregator.fleet.internal.WorkerStatusReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.promptq.aggregator.redrive.DeadLetterActions;
import io.promptq.aggregator.internal.view.JobViewWaiters;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.aggregator.webhook.WebhookDispatcher;
import io.promptq.http.HealthCheck;
import io.promptq.http.HttpLimits;
import io.promptq.http.OpsServer;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.JobStats;
import io.promptq.topic.Topics;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running aggregator: the Kafka Streams topology of {@link AggregatorTopology} plus the analysts' HTTP
 * query API (see {@link QueryRoutes}), the operator console at {@code /console/} ({@link ConsolePages}) and its JSON API ({@link DeadLetterRoutes}, {@link FleetRoutes}, {@link DeadLetterActions}), health ({@code /health/ready} is UP while Kafka Streams is RUNNING)
 * and Prometheus metrics (Kafka Streams' own meters and the aggregator's), and, when webhooks are on, the
 * {@link WebhookDispatcher} on its own consumer group. Embeddable: the launcher starts
 * it in-process and reads the totals through {@link #totals()}.
 *
 * <pre>{@code
 * try (AggregatorService aggregator = AggregatorService.start(config, Metrics.prometheus("aggregator", "a1"))) {
 *     aggregator.awaitRunning();
 *     JobStats overall = aggregator.totals();
 * }
 * }</pre>
 */
public final class AggregatorService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AggregatorService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** A failed stream thread is replaced, unless more than this many failed within {@link #THREAD_FAILURE_PERIOD}. */
    private static final int MAX_THREAD_FAILURES = 5;
    private static final Duration THREAD_FAILURE_PERIOD = Duration.ofMinutes(10);
    /** How long {@link #awaitRunning()} waits. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(2);

    private final AggregatorConfig config;
    private final SchemaRegistryClient registry;
    private final Forwarder forwarder;
    private final OpsServer http;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final InteractiveQueries queries;
    private final HostInfo self;
    private final CompletableFuture<KafkaStreams.State> terminated;
    private final @Nullable WebhookDispatcher webhooks;
    private final Fleet fleet;
    private final DeadLetterActions actions;
    private final DeadLetterReader deadLetters;
    private final Batches batches;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AggregatorService(AggregatorConfig config, SchemaRegistryClient registry, Forwarder forwarder, OpsServer http,
            KafkaStreams streams, KafkaStreamsMetrics streamsMetrics, InteractiveQueries queries, HostInfo self,
            CompletableFuture<KafkaStreams.State> terminated, @Nullable WebhookDispatcher webhooks, Fleet fleet,
            DeadLetterActions actions, DeadLetterReader deadLetters, Batches batches) {
        this.deadLetters = deadLetters;
        this.batches = batches;
        this.config = config;
        this.registry = registry;
        this.forwarder = forwarder;
        this.http = http;
        this.streams = streams;
        this.streamsMetrics = streamsMetrics;
        this.queries = queries;
        this.self = self;
        this.terminated = terminated;
        this.webhooks = webhooks;
        this.fleet = fleet;
        this.actions = actions;
    }

    /** The console's fleet views' sources: the workers-topic reader on its thread, and the lag probe. */
    private record Fleet(WorkerStatusReader workers, Thread thread, ConsumerLagProbe lag) implements AutoCloseable {

        static Fleet start(AggregatorConfig config, Topics topics, Clock clock) {
            Map<String, Object> props = config.kafka().consumerConfig(config.applicationId() + "-workers-reader",
                    config.applicationId() + "-workers-reader",
                    Map.of());
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            WorkerStatusReader reader = new WorkerStatusReader(topics.workers(),
                    new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer()));
            ConsumerLagProbe lag = new ConsumerLagProbe(Admin.create(config.kafka().adminConfig(
                    config.applicationId() + "-console-admin")), config.workerGroup(), config.topics(), clock);
            Thread thread = Thread.ofPlatform().name("promptq-aggregator-workers-reader").daemon().start(reader);
            return new Fleet(reader, thread, lag);
        }

        @Override
        public void close() {
            workers.close();
            try {
                thread.join(CLOSE_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lag.close();
        }
    }

    /**
     * The batches' finalizer with what it writes to: the file store (created on first use unless injected, so that
     * an aggregator without batches never opens it) and the producer of FINALIZED events.
     */
    private static final class Batches implements AutoCloseable {

        private final AggregatorConfig config;
        private final Topics topics;
        private final @Nullable FileStore injected;
        private final AtomicReference<BatchQueries> queries = new AtomicReference<>();
        private @Nullable FileStore created;
        private @Nullable KafkaProducer<String, BatchEvent> producer;
        private final BatchFinalizer finalizer;

        Batches(AggregatorConfig config, Topics topics, @Nullable FileStore injected, Clock clock) {
            this.config = config;
            this.topics = topics;
            this.injected = injected;
            this.finalizer = new BatchFinalizer(new BatchReader() {
                @Override
                public Optional<BatchState> state(String batchId) {
                    return queries().state(batchId);
                }

                @Override
                public void lines(String batchId, LineVisitor visitor) throws java.io.IOException {
                    queries().lines(batchId, visitor);
                }
            }, this::files, config.files(), this::publish, clock);
        }

        private BatchQueries queries() {
            BatchQueries q = queries.get();
            if (q == null) {
                throw new QueryUnavailableException("the aggregator is starting");
            }
            return q;
        }

        private synchronized FileStore files() {
            if (injected != null) {
                return injected;
            }
            if (created == null) {
                created = FileStore.kafka(config.kafka(), topics, config.files(), config.applicationId() + "-files");
            }
            return created;
        }

        private void publish(BatchEvent event) throws Exception {
            KafkaProducer<String, BatchEvent> p;
            synchronized (this) {
                if (producer == null) {
                    producer = new KafkaProducer<>(config.kafka().producerConfig(config.applicationId() + "-batch-finalizer"),
                            topics.batches().keySerializer(), topics.batches().valueSerializer());
                }
                p = producer;
            }
            p.send(new ProducerRecord<>(topics.batches().name(), event.getBatchId(), event)).get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            finalizer.close();
            synchronized (this) {
                if (producer != null) {
                    producer.close(Duration.ofSeconds(10));
                }
                if (created != null) {
                    created.close();
                }
            }
        }
    }

    /**
     * Creates the topics if configured, starts the HTTP API and Kafka Streams, and returns without waiting
     * for Kafka Streams to be RUNNING (see {@link #awaitRunning()}).
     */
    public static AggregatorService start(AggregatorConfig config, PrometheusMeterRegistry metrics) {
        return start(config, metrics, Clock.systemUTC());
    }

    /**
     * Connection limits of the query API. Its TCP backlog holds a burst of new connections (a producer opening its
     * job watches at once: with the JDK's default of 50, such a burst had connects time out and streams fail 503);
     * no body data rate (queries have no bodies) and a header timeout against slowloris clients.
     */
    static final HttpLimits QUERY_API_LIMITS = new HttpLimits(100_000, 4096, 0, Duration.ofSeconds(30));

    /** As {@link #start(AggregatorConfig, PrometheusMeterRegistry)}, with {@code clock} for {@code updatedAt}. */
    public static AggregatorService start(AggregatorConfig config, PrometheusMeterRegistry metrics, Clock clock) {
        return start(config, metrics, clock, null);
    }

    /**
     * As {@link #start(AggregatorConfig, PrometheusMeterRegistry, Clock)}, writing the batches' output files to
     * {@code files} (null: the Kafka file store, {@link FileStore#kafka}).
     */
    public static AggregatorService start(AggregatorConfig config, PrometheusMeterRegistry metrics, Clock clock,
            @Nullable FileStore files) {
        SchemaRegistryClient registry = SchemaRegistryClient.create(config.registry());
        Forwarder forwarder = new Forwarder(config.queryTimeout());
        OpsServer http = null;
        KafkaStreams streams = null;
        KafkaStreamsMetrics streamsMetrics = null;
        WebhookDispatcher webhooks = null;
        Fleet fleet = null;
        DeadLetterActions actions = null;
        DeadLetterReader deadLetters = null;
        Batches batches = null;
        try {
            Topics topics = Topics.create(config.topics(), registry, config.registry().autoRegister());
            if (config.createTopics()) {
                TopicBootstrap.ensureTopics(config.kafka().adminConfig(config.applicationId() + "-admin"),
                        config.topics(), config.deadLetterTopic(), config.topicPartitions(), config.windowRetention(),
                        config.webhooks().enabled(), config.jobViewRetention(), Duration.ofSeconds(30));
                TopicBootstrap.ensureBatchTopics(config.kafka().adminConfig(config.applicationId() + "-admin"),
                        config.topics(), config.topicPartitions(), config.files().retention(),
                        config.batch().retention(), Duration.ofSeconds(30));
            }
            TopicBootstrap.requireCoPartitioned(config.kafka().adminConfig(config.applicationId() + "-admin"),
                    topics.results().name(), topics.status().name(), Duration.ofSeconds(30));
            SchemaBootstrap.ensureSchemas(registry, topics, config.registry().autoRegister());
            AtomicReference<InteractiveQueries> queryRef = new AtomicReference<>();
            QueryRoutes routes = new QueryRoutes(queryRef::get, clock, config.authTokens(), config.readers(),
                    config.operatorTokens());
            ConsolePages console = ConsolePages.load();
            AtomicReference<IndexQueries> indexRef = new AtomicReference<>();
            batches = new Batches(config, topics, files, clock);
            Batches batchParts = batches;
            BatchRoutes batchRoutes = new BatchRoutes(batchParts.queries::get);
            deadLetters = new DeadLetterReader(() -> new KafkaConsumer<>(
                    config.kafka().consumerConfig(config.applicationId() + "-dead-letter-reader",
                            config.applicationId() + "-dead-letter-reader"),
                    new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                    topics.deadLetters().valueDeserializer(), topics.deadLetters().name(), config.queryTimeout());
            DeadLetterReader reader = deadLetters;
            DeadLetterRoutes deadLetterRoutes = new DeadLetterRoutes(indexRef::get, () -> reader, config.readers());
            actions = DeadLetterActions.create(config, topics, clock, id -> {
                IndexQueries index = indexRef.get();
                if (index == null) {
                    throw new QueryUnavailableException("the aggregator is starting; retry shortly");
                }
                return index.mark(id);
            });
            DeadLetterActions deadLetterActions = actions;
            fleet = Fleet.start(config, topics, clock);
            FleetRoutes fleetRoutes = new FleetRoutes(config.readers(), fleet.workers(), fleet.lag(), queryRef::get,
                    config.window(), clock);
            http = OpsServer.start(config.httpHost(), config.httpPort(), config.managementPort(), metrics, QUERY_API_LIMITS,
                    app -> {
                        routes.register(app);
                        batchRoutes.register(app);
                        fleetRoutes.register(app);
                        deadLetterActions.register(app);
                        deadLetterRoutes.register(app);
                        console.register(app);
                    });
            HostInfo self = new HostInfo(config.advertisedHost(), http.port());

            RegistryStatus registryStatus = new RegistryStatus();
            http.readiness("schema-registry", registryStatus::health);
            JobViewWaiters waiters = new JobViewWaiters(config.maxWaiters());
            Topology topology = AggregatorTopology.build(config, topics, clock, metrics, registryStatus, waiters,
                    TopicBootstrap.partitions(config.kafka().adminConfig(config.applicationId() + "-admin"),
                            topics.batches().name(), Duration.ofSeconds(30)),
                    batchParts.finalizer::submit);
            Map<String, Object> props = streamsProperties(config, self);
            props.put(ResultDeserializationHandler.CONTEXT_CONFIG,
                    new ResultDeserializationHandler.Context(config.deadLetterTopic(), new AggregatorMetrics(metrics)));
            streams = new KafkaStreams(topology, new StreamsConfig(props));
            CompletableFuture<KafkaStreams.State> terminated = new CompletableFuture<>();
            streams.setStateListener((newState, oldState) -> {
                log.info("Kafka Streams {} -> {}", oldState, newState);
                if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
                    terminated.complete(newState);
                }
            });
            streams.setUncaughtExceptionHandler(new ThreadFailurePolicy(MAX_THREAD_FAILURES, THREAD_FAILURE_PERIOD, clock));
            AggregatorMetrics aggregatorMetrics = new AggregatorMetrics(metrics);
            InteractiveQueries queries = new InteractiveQueries(streams, self, config.window(), forwarder, aggregatorMetrics,
                    AggregatorTopology.storedResultSerde(topics).deserializer(), waiters, config.maxWait(),
                    topics.status().name());
            queryRef.set(queries);
            batchParts.queries.set(new BatchQueries(streams, self, forwarder, aggregatorMetrics, topics.batches().name()));
            indexRef.set(new IndexQueries(streams, self, forwarder, topics.deadLetters().name(),
                    config.consoleScanLimit(), topics.deadLetterMarks().name(),
                    topics.deadLetterMarks().valueDeserializer()));
            KafkaStreams running = streams;
            http.readiness("kafka-streams", () -> running.state() == KafkaStreams.State.RUNNING
                    ? HealthCheck.Result.up("RUNNING")
                    : HealthCheck.Result.down(running.state().name()));
            streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(metrics);
            streams.start();
            if (config.webhooks().enabled()) {
                webhooks = WebhookDispatcher.start(config.webhooks(), config.kafka(), config.applicationId(), topics,
                        metrics, clock);
            }
            log.info("Aggregator {} started: results {} -> totals {}, windows {} ({} windows, grace {}); query API at http://{}:{}",
                    config.applicationId(), topics.results().name(), topics.totals().name(), topics.windows().name(),
                    config.window(), config.grace(), self.host(), self.port());
            return new AggregatorService(config, registry, forwarder, http, streams, streamsMetrics, queries, self, terminated,
                    webhooks, fleet, actions, deadLetters, batches);
        } catch (RuntimeException e) {
            if (batches != null) {
                batches.close();
            }
            if (webhooks != null) {
                webhooks.close();
            }
            if (streamsMetrics != null) {
                streamsMetrics.close();
            }
            if (streams != null) {
                streams.close(Duration.ofSeconds(10));
            }
            if (http != null) {
                http.close();
            }
            if (fleet != null) {
                fleet.close();
            }
            if (actions != null) {
                actions.close();
            }
            if (deadLetters != null) {
                deadLetters.close();
            }
            forwarder.close();
            registry.close();
            throw e;
        }
    }

    static Map<String, Object> streamsProperties(AggregatorConfig config, HostInfo self) {
        Map<String, Object> props = new HashMap<>(config.kafka().streamsConfig(config.applicationId()));
        props.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, ResultDeserializationHandler.class);
        props.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        return props;
    }

    /** Waits up to {@link #DEFAULT_START_TIMEOUT} until Kafka Streams is RUNNING. */
    public void awaitRunning() {
        awaitRunning(DEFAULT_START_TIMEOUT);
    }

    /**
     * Waits until Kafka Streams is RUNNING (joined the group, stores restored).
     *
     * @throws IllegalStateException if it stopped or failed, or is not running after {@code timeout}
     */
    public void awaitRunning(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (terminated.isDone()) {
                throw new IllegalStateException("the aggregator stopped: Kafka Streams is " + streams.state());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the aggregator is not RUNNING after " + timeout + " (" + streams.state() + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the aggregator", e);
            }
        }
    }

    /**
     * The all-time totals over every job (all zeros before the first result), from whichever instance owns
     * them.
     *
     * @throws QueryUnavailableException while not RUNNING (retry)
     */
    public JobStats totals() {
        return totals(StatsKey.overall())
                .orElseGet(() -> StatsAggregate.empty().toJobStats(StatsKey.overall(), null, null));
    }

    /** The all-time totals of one scope; empty if no job of it was seen. */
    public Optional<JobStats> totals(StatsKey key) {
        return queries.totals(key, false).map(JobStatsView::toJobStats);
    }

    /** Every all-time aggregate of every instance, sorted by key. */
    public List<JobStats> allTotals() {
        return queries.allTotals(false).stream().map(JobStatsView::toJobStats).toList();
    }

    /** The windows of {@code scope} (overall or a model) overlapping [{@code from}, {@code to}], oldest first. */
    public List<JobStats> windows(StatsKey scope, Instant from, Instant to) {
        return queries.windows(scope, from, to, false).stream().map(JobStatsView::toJobStats).toList();
    }

    /** The first terminal result of a job; empty if unknown or older than the dedup retention. */
    public Optional<JobResultView> jobResult(String jobId) {
        return queries.jobResult(jobId, false);
    }

    /**
     * The job's view, waiting up to {@code wait} (capped by {@link AggregatorConfig#maxWait()}) until its version
     * exceeds {@code after} (or, without {@code after}, until it is terminal); empty if the job is unknown.
     */
    public Optional<JobView> jobView(String jobId, Duration wait, @Nullable Long after) {
        return queries.jobView(jobId, wait, after, false);
    }

    /** The operator console's URL, e.g. {@code http://127.0.0.1:8083/console/}. */
    public URI consoleUrl() {
        return url().resolve(ConsolePages.PATH);
    }

    /** Base URL of this instance's query API, e.g. {@code http://127.0.0.1:8083}. */
    public URI url() {
        return URI.create("http://" + self.host() + ":" + self.port());
    }

    /** The port the query API listens on. */
    public int httpPort() {
        return http.port();
    }

    /** Kafka Streams' state. */
    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Completes when Kafka Streams stops: NOT_RUNNING after {@link #close()}, ERROR after a failure. */
    public CompletableFuture<KafkaStreams.State> terminated() {
        return terminated.copy();
    }

    public AggregatorConfig config() {
        return config;
    }

    /** Stops the API and Kafka Streams (leaving the group, so that other instances take over at once). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        log.info("Stopping aggregator {}", config.applicationId());
        http.close();
        if (webhooks != null) {
            webhooks.close();
        }
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(CLOSE_TIMEOUT));
        batches.close();
        streamsMetrics.close();
        fleet.close();
        actions.close();
        deadLetters.close();
        forwarder.close();
        registry.close();
    }
}
