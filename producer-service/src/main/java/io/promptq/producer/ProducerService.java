package io.promptq.producer;

import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.PromptqClient;
import io.promptq.files.FileStore;
import io.promptq.http.OpsServer;
import io.promptq.kafka.TopicSpec;
import io.promptq.lifecycle.Closeables;
import io.promptq.producer.batch.BatchEvents;
import io.promptq.producer.batch.BatchSubmitter;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.http.internal.BatchesHandler;
import io.promptq.producer.http.internal.CancelHandler;
import io.promptq.producer.http.internal.FilesHandler;
import io.promptq.producer.http.internal.JobListHandler;
import io.promptq.producer.http.internal.JobStatusHandler;
import io.promptq.producer.http.internal.JobsHandler;
import io.promptq.producer.http.internal.OpenAiCompat;
import io.promptq.producer.internal.AggregatorClient;
import io.promptq.producer.internal.CachedHealthCheck;
import io.promptq.producer.internal.KafkaHealthCheck;
import io.promptq.producer.internal.RegistryHealthCheck;
import io.promptq.producer.internal.TopicCreator;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer service: the HTTP API through which upstream systems publish prompt jobs
 * ({@code POST /v1/jobs}, {@code POST /v1/jobs/batch}), follow them ({@code GET /v1/jobs/{id}}, answered from the
 * aggregator's job views), the OpenAI-compatible Files and Batches API ({@code /v1/files}, {@code /v1/batches}, with
 * the batch submitter that turns a batch's lines into jobs), plus {@code /health/live}, {@code /health/ready}
 * (Kafka and the schema registry reachable, cached for {@value #READINESS_CACHE_SECONDS}s) and
 * {@code /metrics}. Embeddable: the launcher runs it in one JVM with the workers; {@link ProducerMain} runs it
 * alone.
 */
public final class ProducerService implements AutoCloseable {

    /** How long a readiness answer is reused. */
    public static final int READINESS_CACHE_SECONDS = 5;

    private static final Logger log = LoggerFactory.getLogger(ProducerService.class);
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

    private final ProducerServiceConfig config;
    private final PromptqClient client;
    private final @Nullable KafkaClientMetrics kafkaMetrics;
    private final Admin admin;
    private final TopicCreator topicCreator;
    private final OpsServer server;
    private final AggregatorClient aggregator;
    private final BatchApi batchApi;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ProducerService(ProducerServiceConfig config, PromptqClient client, @Nullable KafkaClientMetrics kafkaMetrics,
            Admin admin, TopicCreator topicCreator, OpsServer server, AggregatorClient aggregator,
            BatchApi batchApi) {
        this.aggregator = aggregator;
        this.batchApi = batchApi;
        this.config = config;
        this.client = client;
        this.kafkaMetrics = kafkaMetrics;
        this.admin = admin;
        this.topicCreator = topicCreator;
        this.server = server;
    }

    /**
     * Starts the service: the Kafka producer, the jobs topic and the idempotency ledger (when {@code createTopics})
     * and the HTTP server.
     * It starts even while Kafka or the registry is down; readiness reports them and submissions answer 503
     * until they are back.
     */
    public static ProducerService start(ProducerServiceConfig config, PrometheusMeterRegistry registry) {
        return start(config, registry, null);
    }

    /**
     * As {@link #start(ProducerServiceConfig, PrometheusMeterRegistry)}, with the files of the Files and Batches API in
     * {@code files} (shared, not closed here; tests pass an in-memory store) instead of the Kafka file store
     * ({@link FileStore#kafka}) the service otherwise builds on the files topics.
     */
    public static ProducerService start(ProducerServiceConfig config, PrometheusMeterRegistry registry,
            @Nullable FileStore files) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        PromptqClient client = null;
        KafkaClientMetrics kafkaMetrics = null;
        Admin admin = null;
        TopicCreator topicCreator = null;
        AggregatorClient aggregator = new AggregatorClient(config.aggregatorUrl(), config.aggregatorMaxRequests());
        BatchApi batchApi = null;
        try {
            admin = Admin.create(config.client().kafka().adminConfig(config.client().clientId() + "-admin"));
            String topic = config.client().topics().jobs();
            if (config.createTopics()) {
                TopicSpecs specs = TopicSpecs.of(config.client().topics(), config.topicPartitions());
                List<TopicSpec> topics = new ArrayList<>(specs.submitter(config.client().idempotencyWindow()));
                topics.addAll(specs.lifecycle(config.jobStatusRetention()));
                topics.addAll(specs.batchApi(config.files().retention(), config.batch().retention()));
                topicCreator = TopicCreator.start(admin, topics, Duration.ofSeconds(10));
                if (!topicCreator.await(config.client().sendTimeout())) {
                    log.warn("Topics {} and {} not confirmed yet; creation continues in the background", topic,
                            config.client().topics().idempotency());
                }
            }
            // Created after the topics, so that its ledger reader finds a ledger created just now at its first look,
            // not at its next rediscovery. The service answers an ambiguous send at once (504 outcome-unknown) and
            // leaves the retry to its caller.
            client = PromptqClient.create(config.client().toBuilder().outcomeUnknownRetries(0).build());
            kafkaMetrics = bindKafkaMetrics(client, registry);
            ProducerMetrics metrics = ProducerMetrics.bind(registry);
            client.metrics().bindTo(registry);
            JobsHandler jobs = new JobsHandler(client, config, metrics);
            JobStatusHandler status = new JobStatusHandler(aggregator, config);
            JobListHandler jobList = new JobListHandler(aggregator, status);
            CancelHandler cancels = new CancelHandler(client, config, status);
            batchApi = BatchApi.start(config, client, files);
            OpenAiCompat compat = new OpenAiCompat(config);
            FilesHandler fileRoutes = new FilesHandler(batchApi.files(), config.files(), compat, Clock.systemUTC());
            BatchesHandler batches = new BatchesHandler(compat, aggregator, batchApi.files(), batchApi.events(),
                    config.batch(), Clock.systemUTC());
            OpsServer server = OpsServer.start(config.httpHost(), config.httpPort(), config.managementPort(), registry,
                    config.httpLimits(), app -> {
                app.post("/v1/jobs", jobs::submit);
                app.post("/v1/jobs/batch", jobs::submitBatch);
                app.post("/v1/jobs/{jobId}/cancel", cancels::cancel);
                app.get("/v1/jobs/{jobId}", status::status);
                app.get("/v1/jobs", jobList::list);
                app.get("/v1/jobs/{jobId}/events", status::events);
                app.exception(OpenAiCompat.ApiError.class, OpenAiCompat::respond);
                app.post("/v1/files", fileRoutes::upload);
                app.get("/v1/files", fileRoutes::list);
                app.get("/v1/files/{id}", fileRoutes::retrieve);
                app.get("/v1/files/{id}/content", fileRoutes::content);
                app.delete("/v1/files/{id}", fileRoutes::delete);
                app.post("/v1/batches", batches::create);
                app.get("/v1/batches", batches::list);
                app.get("/v1/batches/{batchId}", batches::retrieve);
                app.post("/v1/batches/{batchId}/cancel", batches::cancel);
            });
            Duration ttl = Duration.ofSeconds(READINESS_CACHE_SECONDS);
            server.readiness("kafka", new CachedHealthCheck(new KafkaHealthCheck(admin, topic, CHECK_TIMEOUT), ttl))
                    .readiness("schema-registry", new CachedHealthCheck(
                            new RegistryHealthCheck(config.client().registry(), CHECK_TIMEOUT), ttl));
            log.info("Producer service listening on http://{}:{} (topic {}, auth {}, send timeout {} ms)",
                    config.httpHost(), server.port(), topic, config.authTokens().enabled() ? "on" : "off",
                    config.client().sendTimeout().toMillis());
            return new ProducerService(config, client, kafkaMetrics, admin, topicCreator, server, aggregator, batchApi);
        } catch (RuntimeException e) {
            Closeables.closeQuietly(batchApi);
            Closeables.closeQuietly(topicCreator);
            Closeables.closeQuietly(kafkaMetrics);
            if (admin != null) {
                admin.close(Duration.ofSeconds(1));
            }
            if (client != null) {
                client.close();
            }
            aggregator.close();
            throw e;
        }
    }

    /** The port the HTTP API listens on (useful with port 0). */
    public int port() {
        return server.port();
    }

    /** The client this service publishes with (shared, do not close). */
    public PromptqClient client() {
        return client;
    }

    public ProducerServiceConfig config() {
        return config;
    }

    /**
     * Stops accepting requests, then flushes and closes the producer (waiting up to the send timeout). Calls after
     * the first return at once (main and the shutdown hook may both call it).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.close();
        Closeables.closeQuietly(batchApi);
        Closeables.closeQuietly(topicCreator);
        Closeables.closeQuietly(kafkaMetrics);
        admin.close(Duration.ofSeconds(2));
        client.close();
        aggregator.close();
        log.info("Producer service stopped");
    }

    /**
     * The Files and Batches API's Kafka side: the registry client its topics' serdes use, the file store (owned when
     * built here), the writer of batch steps and the batch submitter.
     */
    private record BatchApi(SchemaRegistryClient registry, FileStore files, boolean ownsFiles, BatchEvents events,
            BatchSubmitter submitter) implements AutoCloseable {

        static BatchApi start(ProducerServiceConfig config, PromptqClient client, @Nullable FileStore given) {
            SchemaRegistryClient registry = SchemaRegistryClient.create(config.client().registry());
            FileStore files = given;
            BatchEvents events = null;
            try {
                Topics topics = Topics.create(config.client().topics(), registry,
                        config.client().registry().autoRegister());
                String clientId = config.client().clientId();
                if (files == null) {
                    files = FileStore.kafka(config.client().kafka(), topics, config.files(), clientId);
                }
                events = new BatchEvents(config.client().kafka(), topics.batches(), clientId + "-batch-events",
                        config.client().sendTimeout());
                BatchSubmitter submitter = BatchSubmitter.start(new BatchSubmitter.Settings(config.client().kafka(),
                        topics, clientId, config.batch(), config.client().jobIdKey(), BatchSubmitter.DEFAULT_WINDOW,
                        Clock.systemUTC()), client, files, events);
                return new BatchApi(registry, files, given == null, events, submitter);
            } catch (RuntimeException e) {
                Closeables.closeQuietly(events);
                if (given == null) {
                    Closeables.closeQuietly(files);
                }
                Closeables.closeQuietly(registry);
                throw e;
            }
        }

        @Override
        public void close() {
            submitter.close();
            events.close();
            if (ownsFiles) {
                files.close();
            }
            Closeables.closeQuietly(registry);
        }
    }

    private static @Nullable KafkaClientMetrics bindKafkaMetrics(PromptqClient client, PrometheusMeterRegistry registry) {
        try {
            KafkaClientMetrics metrics = client.kafkaClientMetrics();
            metrics.bindTo(registry);
            return metrics;
        } catch (RuntimeException e) {
            log.warn("Kafka producer metrics not available: {}", e.toString());
            return null;
        }
    }
}
