package io.promptq.worker.internal;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.http.HealthCheck;
import io.promptq.http.OpsServer;
import io.promptq.lifecycle.Closeables;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.ResilientLlm;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.retry.Backoff;
import io.promptq.topic.Topics;
import io.promptq.worker.WorkerConfig;
import io.promptq.worker.WorkerStats;
import io.promptq.worker.cancel.Cancellations;
import io.promptq.worker.cancel.internal.CancellationReader;
import io.promptq.worker.http.WorkerHttp;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PauseReason;
import io.promptq.worker.kafka.internal.LoopSettings;
import io.promptq.worker.kafka.internal.PollLoop;
import io.promptq.worker.metrics.FlowMetrics;
import io.promptq.worker.metrics.IdempotencyMetrics;
import io.promptq.worker.metrics.OutcomeMetrics;
import io.promptq.worker.metrics.WorkerMetricNames;
import io.promptq.worker.processing.AttemptListener;
import io.promptq.worker.processing.JobProcessor;
import io.promptq.worker.processing.OutcomeRecords;
import io.promptq.worker.retry.RetryPolicy;
import io.promptq.worker.status.AssignedPartitions;
import io.promptq.worker.status.WorkerStatusPublisher;
import io.promptq.worker.status.WorkerStatuses;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's composition root: builds every part from a {@link WorkerConfig}, starts the poll thread and the
 * HTTP server, and tears everything down in order. {@code WorkerService} is its public face.
 */
public final class WorkerRuntime {

    /**
     * The outcome producer's transaction is open only while a commit runs (milliseconds), so a transaction left
     * open by a killed worker should not hold back {@code read_committed} readers for the broker's default 60 s:
     * 10 s. Overridable with {@code PROMPTQ_KAFKA_PRODUCER_TRANSACTION_TIMEOUT_MS}.
     */
    static final Map<String, Object> PRODUCER_DEFAULTS = Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);

    /**
     * A partition resumed after a pause should not wait behind a fetch the broker parks for up to 500 ms when
     * the other partitions are idle.
     */
    static final Map<String, Object> CONSUMER_DEFAULTS = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20);

    /**
     * With the classic protocol, also: a SIGKILLed worker's partitions move on within about 10 s (the session
     * timeout; Kafka's default is 45 s) instead of waiting behind a dead member - heartbeats run on the client's
     * own thread, so slow jobs or a long revocation do not count against it ({@code max.poll.interval.ms} does).
     * The heartbeat interval stays a third of it. The KIP-848 protocol takes both from the broker
     * ({@code group.consumer.session.timeout.ms}) and refuses them from clients.
     */
    static final Map<String, Object> CLASSIC_CONSUMER_DEFAULTS = Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20,
            ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);


    /** Longest a RUNNING state's {@code send} may block (metadata, full buffer) before it is given up. */
    static final int STATES_MAX_BLOCK_MS = 1_000;
    /** RUNNING states wait up to 20 ms to share a produce request: fewer broker requests, still visible at once. */
    static final int STATES_LINGER_MS = 20;

    private static final Logger log = LoggerFactory.getLogger(WorkerRuntime.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Longest the start waits for the cancellations topic to be read to its end; past it the start fails. */
    static final Duration CANCELLATIONS_CATCH_UP = Duration.ofMinutes(2);

    private final WorkerConfig config;
    private final Deque<AutoCloseable> resources;
    private final PollLoop loop;
    private final Thread pollThread;
    private final OutcomeMetrics outcomes;
    private final OpsServer http;
    private final @Nullable WorkerStatusPublisher status;
    private boolean closed;

    private WorkerRuntime(WorkerConfig config, Deque<AutoCloseable> resources, PollLoop loop, Thread pollThread,
            OutcomeMetrics outcomes, OpsServer http, @Nullable WorkerStatusPublisher status) {
        this.config = config;
        this.resources = resources;
        this.loop = loop;
        this.pollThread = pollThread;
        this.outcomes = outcomes;
        this.http = http;
        this.status = status;
    }

    /**
     * Builds and starts a worker.
     *
     * @param provider the model provider, guarded here by {@code ResilientLlm}
     * @param ownsProvider whether closing the worker closes the provider
     */
    public static WorkerRuntime start(WorkerConfig config, LlmProvider provider, boolean ownsProvider,
            PrometheusMeterRegistry registry) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            return build(config, provider, ownsProvider, registry, resources);
        } catch (RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    private static WorkerRuntime build(WorkerConfig config, LlmProvider provider, boolean ownsProvider,
            PrometheusMeterRegistry registry, Deque<AutoCloseable> resources) {
        String id = config.workerId();
        if (config.createTopics()) {
            WorkerTopics.ensure(config);
        }
        SchemaRegistryClient registryClient = SchemaRegistryClient.create(config.registry());
        resources.push(registryClient);
        Topics topics = Topics.create(config.topics(), registryClient, config.registry().autoRegister());
        if (config.registry().autoRegister()) {
            OutputSchemas.register(registryClient, config.topics(), config.retryDelays().size());
        }

        TimedProvider timed = new TimedProvider(provider, ownsProvider);
        ResilientLlm resilient = ResilientLlm.create(timed, config.resilience(), registry, config.clock());
        ResilientLlmCaller caller = new ResilientLlmCaller(resilient, timed, config.resilience());
        resources.push(caller);
        LlmIntakeGate gate = new LlmIntakeGate(caller);

        RetryPolicy policy = RetryPolicy.of(config.retryDelays(), config.maxAttempts())
                .withLocalRetries(config.localRetries(), config.localRetryDelay())
                .withMaxRetryAfter(config.resilience().maxRetryAfter());
        JobStates states = config.publishStates() ? jobStates(config, topics, registry) : null;
        if (states != null) {
            resources.push(states);
        }
        JobProcessor processor = new JobProcessor(caller, policy, config.clock(), config.resilience().callTimeout(),
                Backoff.Sleeper.THREAD, states == null ? AttemptListener.NONE : states);

        OutcomeMetrics outcomes = new OutcomeMetrics(id);
        outcomes.bindTo(registry);
        resources.push(outcomes::unbind);

        Map<String, Object> producerConfig = producerConfig(config);
        OutcomeProducers producers = new OutcomeProducers(producerConfig, id, registry);
        resources.push(producers);

        Map<String, Integer> tiers = new HashMap<>();
        List<String> retryTopics = config.topics().retries(config.retryDelays().size());
        for (int i = 0; i < retryTopics.size(); i++) {
            tiers.put(retryTopics.get(i), i);
        }
        Cancellations cancellations = new Cancellations(config.cancellationsMaxKeys(), config.jobStatusRetention(),
                config.clock(), outcomes::cancellation);
        CancellationReader cancelReader = startCancellationReader(config, topics, cancellations, resources);
        JobRecordHandler handler = new JobRecordHandler(topics, tiers, processor, new OutcomeRecords(id), outcomes,
                model -> {}, config.clock(), maxRequestSize(producerConfig), config.maxCrashStarts(),
                JobRecordHandler.DECODE_BACKOFF, JobRecordHandler.SERIALIZE_BACKOFF, cancellations, states == null ? null : id,
                states == null ? () -> false : states::ready);

        awaitCancellations(cancelReader);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        LoopSettings settings = new LoopSettings(config.topics().jobs(), retryTopics, config.partitionConcurrency(),
                config.maxInFlight(), config.bufferPerPartition(), config.maxUncommitted(), config.pollTimeout(),
                config.commitInterval(), config.transactions(), config.offsetMetadataMaxBytes(),
                config.revokeTimeout(), config.shutdownGrace(), CLOSE_TIMEOUT);
        AtomicReference<FlowStats> stats = new AtomicReference<>();
        FlowMetrics flow = new FlowMetrics(id, stats::get);
        IdempotencyMetrics idempotency = new IdempotencyMetrics(id);
        idempotency.bindTo(registry);
        resources.push(idempotency::unbind);
        IdempotencyGate duplicates = idempotencyGate(config, topics, idempotency);
        resources.push(duplicates);
        AssignedPartitions assigned = new AssignedPartitions(flow);
        PollLoop loop = new PollLoop(consumer, settings, handler, gate, duplicates, assigned,
                Thread.ofVirtual().name("promptq-job-" + id + "-", 0).factory(), config.clock(),
                new RetryDueTime(topics.retry(0).valueDeserializer()), producers);
        stats.set(loop);
        flow.bindTo(registry);
        resources.push(flow::unbind);
        bindClientMetrics(new KafkaClientMetrics(consumer, Tags.of(WorkerMetricNames.TAG_WORKER, id)), registry, resources);

        Thread pollThread = Thread.ofPlatform().name("promptq-worker-poll-" + id).unstarted(loop);
        OpsServer http = null;
        WorkerRuntime runtime;
        pollThread.start();
        try {
            WorkerStatusPublisher status = statusPublisher(config, topics, loop, assigned, resilient, outcomes);
            if (status != null) {
                resources.push(status::abandon);
            }
            if (config.httpEnabled()) {
                Duration staleAfter = config.revokeTimeout().plus(config.pollTimeout()).plusSeconds(10);
                http = WorkerHttp.start(config.httpHost(), config.httpPort(), config.managementPort(), registry, loop,
                        () -> snapshot(id, loop, outcomes), staleAfter, config.clock());
                http.readiness("models", () -> modelsCheck(resilient.unavailableModels()));
                http.readiness("group", WorkerHttp.groupCheck(loop, config.rebalanceStuckAfter(), config.clock()));
            }
            runtime = new WorkerRuntime(config, resources, loop, pollThread, outcomes, http, status);
        } catch (RuntimeException e) {
            loop.stop();
            join(pollThread, stopWait(config));
            throw e;
        }
        log.info("Worker {} started: group {}, topics {} + {}, K={}, cap={}, retry tiers {}, max attempts {}, {}, {}",
                id, config.groupId(), config.topics().jobs(), retryTopics, config.partitionConcurrency(),
                config.maxInFlight(), config.retryDelays(), config.maxAttempts(),
                config.transactions() ? "transactional id " + config.transactionalId() : "at-least-once outcomes",
                http == null ? "no HTTP" : "HTTP on " + config.httpHost() + ":" + http.port());
        return runtime;
    }

    /**
     * Starts publishing this worker's status every {@link WorkerConfig#statusInterval()} to the workers topic, or
     * returns null when the interval is zero. The producer is small, idempotent and never transactional; its sends
     * block at most {@value #STATES_MAX_BLOCK_MS} ms, on the publisher's own thread.
     */
    private static @Nullable WorkerStatusPublisher statusPublisher(WorkerConfig config, Topics topics, FlowStats loop,
            AssignedPartitions assigned, ResilientLlm resilient, OutcomeMetrics outcomes) {
        if (config.statusInterval().isZero()) {
            return null;
        }
        WorkerStatuses.Identity identity = new WorkerStatuses.Identity(config.workerId(), config.groupId(),
                WorkerStatuses.localHost(), config.clock().millis(), config.statusInterval());
        Map<String, Object> props = config.kafka().producerConfig(config.workerId() + "-status",
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, STATES_MAX_BLOCK_MS, ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.BUFFER_MEMORY_CONFIG, 1024 * 1024));
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return WorkerStatusPublisher.start(topics.workers(), config.workerId(), props, config.statusInterval(),
                () -> WorkerStatuses.snapshot(identity, config.clock().millis(), loop, assigned.snapshot(),
                        snapshot(config.workerId(), loop, outcomes), new WorkerStatuses.Guards(resilient.breakerStates(),
                                resilient.unavailableModels().keySet(), resilient.rateLimitWaits())));
    }

    /**
     * Starts reading the whole cancellations topic on a thread of its own ({@link CancellationReader}); closing the
     * returned resource stops it.
     */
    private static CancellationReader startCancellationReader(WorkerConfig config, Topics topics,
            Cancellations cancellations, Deque<AutoCloseable> resources) {
        Map<String, Object> props = KafkaLedger.consumerConfig(config);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, config.workerId() + "-cancellations");
        CancellationReader reader = new CancellationReader(topics.cancellations().name(),
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                topics.cancellations().keyDeserializer(), topics.cancellations().valueDeserializer(), cancellations);
        Thread thread = Thread.ofPlatform().name("promptq-cancellations-" + config.workerId()).daemon().start(reader);
        resources.push(() -> {
            reader.close();
            join(thread, CLOSE_TIMEOUT);
        });
        return reader;
    }

    /**
     * Waits until every cancel request made so far is known ({@link #CANCELLATIONS_CATCH_UP} at most), so the first
     * job started after a restart already sees a cancel made while no worker ran.
     */
    private static void awaitCancellations(CancellationReader reader) {
        try {
            reader.awaitCaughtUp(CANCELLATIONS_CATCH_UP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the cancellations topic", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * Readiness of the models: down while the provider refuses a model (401/403/404), naming each with the provider's
     * answer - a fault of the system that parks that model's jobs until a trial call succeeds.
     */
    static HealthCheck.Result modelsCheck(Map<String, String> unavailable) {
        if (unavailable.isEmpty()) {
            return HealthCheck.Result.up("every model may be called");
        }
        StringBuilder detail = new StringBuilder();
        unavailable.forEach((model, reason) -> detail.append(detail.isEmpty() ? "" : "; ")
                .append("model ").append(model).append(": ").append(reason));
        return HealthCheck.Result.down(detail.toString());
    }

    /**
     * The duplicate gate of the jobs topic: the idempotency ledger read on a thread of its own when a jobs partition
     * is assigned, written with the commits.
     */
    private static IdempotencyGate idempotencyGate(WorkerConfig config, Topics topics, IdempotencyMetrics metrics) {
        KafkaLedger ledger = KafkaLedger.create(config, topics.idempotency().name(),
                topics.idempotency().keyDeserializer(), topics.idempotency().valueDeserializer(), CLOSE_TIMEOUT);
        try {
            return new IdempotencyGate(config.topics().jobs(), topics.idempotency().name(), config.idempotencyWindow(),
                    config.idempotencyMaxKeys(), config.clock(), topics.jobs().valueDeserializer(),
                    topics.idempotency().keySerializer(), topics.idempotency().valueSerializer(), ledger, metrics,
                    Thread.ofPlatform().name("promptq-idempotency-" + config.workerId()).daemon().factory(),
                    IdempotencyGate.RESTORE_BACKOFF);
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * The writer of RUNNING states, with a small non-transactional producer of its own (see {@link JobStates} for
     * why); it starts checking that the status topic exists.
     */
    private static JobStates jobStates(WorkerConfig config, Topics topics, PrometheusMeterRegistry registry) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(statesProducerConfig(config),
                new ByteArraySerializer(), new ByteArraySerializer());
        String status = topics.status().name();
        JobStates states = new JobStates(producer, topics.status().valueSerializer(), status, config.workerId(),
                config.clock(), () -> !producer.partitionsFor(status).isEmpty());
        states.bindTo(registry);
        return states.start();
    }

    /**
     * The job-states producer's properties: promptq's producer defaults ({@code acks=all}, idempotent), a
     * {@code max.block.ms} of {@value #STATES_MAX_BLOCK_MS} ms (a send runs right before a provider call and must
     * not hold it), a {@code linger.ms} of {@value #STATES_LINGER_MS}, then the pass-through; never transactional.
     */
    static Map<String, Object> statesProducerConfig(WorkerConfig config) {
        Map<String, Object> props = config.kafka().producerConfig(config.workerId() + "-states",
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, STATES_MAX_BLOCK_MS, ProducerConfig.LINGER_MS_CONFIG,
                        STATES_LINGER_MS));
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return props;
    }

    /**
     * The consumer properties: group protocol (KIP-848 with the configured server-side assignor, or classic with
     * cooperative-sticky), manual commits, {@code max.poll.records} = the partition buffer unless overridden.
     */
    public static Map<String, Object> consumerConfig(WorkerConfig config) {
        boolean kip848 = config.groupProtocol() == WorkerConfig.GroupProtocol.CONSUMER;
        Map<String, Object> props = config.kafka().consumerConfig(config.groupId(), config.workerId(),
                kip848 ? CONSUMER_DEFAULTS : CLASSIC_CONSUMER_DEFAULTS);
        if (kip848) {
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
            props.put(ConsumerConfig.GROUP_REMOTE_ASSIGNOR_CONFIG, config.groupAssignor());
            props.remove(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG);
        } else {
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.bufferPerPartition());
        return props;
    }

    /**
     * The outcome producer's properties: promptq's producer defaults, {@link #PRODUCER_DEFAULTS}, the pass-through,
     * then the {@code transactional.id} - never taken from the pass-through, since it must differ per worker.
     */
    public static Map<String, Object> producerConfig(WorkerConfig config) {
        Map<String, Object> props = config.kafka().producerConfig(config.workerId() + "-producer", PRODUCER_DEFAULTS);
        if (config.transactions()) {
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        } else {
            props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        }
        return props;
    }

    /** The producer's {@code max.request.size}: outcomes above it use their fallback on the job thread. */
    static int maxRequestSize(Map<String, Object> producerConfig) {
        Object value = producerConfig.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        if (value == null) {
            return 1024 * 1024; // the producer's default
        }
        return value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
    }

    /**
     * Creates the outcome producers (the poll loop makes a new one after a fatal producer error) and keeps the
     * latest one's client metrics bound. The loop closes the producers; closing this unbinds the metrics.
     */
    private static final class OutcomeProducers implements Supplier<Producer<byte[], byte[]>>, AutoCloseable {
        private final Map<String, Object> config;
        private final String workerId;
        private final PrometheusMeterRegistry registry;
        private @Nullable KafkaClientMetrics metrics;

        OutcomeProducers(Map<String, Object> config, String workerId, PrometheusMeterRegistry registry) {
            this.config = Map.copyOf(config);
            this.workerId = workerId;
            this.registry = registry;
        }

        @Override
        public synchronized Producer<byte[], byte[]> get() {
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                    new ByteArraySerializer());
            close();
            try {
                KafkaClientMetrics bound = new KafkaClientMetrics(producer, Tags.of(WorkerMetricNames.TAG_WORKER, workerId));
                bound.bindTo(registry);
                metrics = bound;
            } catch (RuntimeException e) {
                log.warn("Could not bind Kafka producer metrics (processing continues): {}", e.toString());
            }
            return producer;
        }

        @Override
        public synchronized void close() {
            if (metrics != null) {
                metrics.close();
                metrics = null;
            }
        }
    }

    private static void bindClientMetrics(KafkaClientMetrics metrics, PrometheusMeterRegistry registry,
            Deque<AutoCloseable> resources) {
        try {
            metrics.bindTo(registry);
            resources.push(metrics);
        } catch (RuntimeException e) {
            log.warn("Could not bind Kafka client metrics (processing continues): {}", e.toString());
        }
    }

    static WorkerStats snapshot(String id, FlowStats loop, OutcomeMetrics outcomes) {
        int paused = 0;
        for (PauseReason r : PauseReason.values()) {
            paused += loop.paused(r);
        }
        return new WorkerStats(id, loop.inFlight(), loop.buffered(), loop.assignedPartitions(), paused, loop.fetched(),
                outcomes.succeeded(), outcomes.deadLettered(), outcomes.expired(), outcomes.retries(),
                outcomes.undecodable(), loop.abandoned(),
                loop.rebalanceSince());
    }

    public WorkerStats stats() {
        return snapshot(config.workerId(), loop, outcomes);
    }

    public FlowStats loop() {
        return loop;
    }

    /** The HTTP port, or -1 without HTTP. */
    public int httpPort() {
        return http == null ? -1 : http.port();
    }

    /**
     * Stops gracefully: intake stops, running jobs get the shutdown grace, finished jobs' outputs and offsets are
     * committed, the consumer leaves the group, the producer is closed; then everything else. Idempotent.
     */
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.stop();
        join(pollThread, stopWait(config));
        if (status != null) {
            status.close();
        }
        closeHttp();
        closeAll(resources);
        log.info("Worker {} stopped: {}", config.workerId(), stats());
    }

    /**
     * Stops as if the process died: the poll thread quits without waiting for jobs or committing and closes the
     * producer without flushing (an open transaction is left to time out or be fenced). For crash tests.
     */
    public synchronized void crash() {
        if (closed) {
            return;
        }
        closed = true;
        loop.crash();
        join(pollThread, stopWait(config));
        closeHttp();
        closeAll(resources);
        log.warn("Worker {} crashed (simulated)", config.workerId());
    }

    /** Longest a graceful stop can take: grace, a revocation during it, commit and leaving the group. */
    private static Duration stopWait(WorkerConfig config) {
        return config.shutdownGrace().plus(config.revokeTimeout()).plus(CLOSE_TIMEOUT.multipliedBy(3)).plusSeconds(10);
    }

    private void closeHttp() {
        Closeables.closeQuietly(http, (server, e) -> log.warn("Closing the HTTP server failed: {}", e.toString()));
    }

    private static void join(Thread pollThread, Duration wait) {
        try {
            pollThread.join(wait);
            if (pollThread.isAlive()) {
                log.warn("Poll thread did not stop within {}", wait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            Closeables.closeQuietly(resources.pop(), (r, e) -> log.warn("Closing {} failed: {}", r, e.toString()));
        }
    }
}
