package io.promptq.cli.internal.chaos;

import io.promptq.aggregator.AggregatorConfig;
import io.promptq.client.ClientConfig;
import io.promptq.client.CommittedResults;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.local.LocalCluster;
import io.promptq.local.LocalOpenAiStub;
import io.promptq.local.LocalSchemaRegistry;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import io.promptq.worker.WorkerConfig;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One chaos run: a 3-broker cluster and registry in this JVM, the provider stub in this JVM, one producer, workers and
 * the aggregator as child JVMs; N jobs submitted over HTTP at a steady pace while a seeded schedule of faults runs;
 * then a wait for quiet and the {@link ChaosReport}.
 */
public final class ChaosRun {

    private static final int PARTITIONS = 6;
    /** The workers' attempts per job: a job may be dead-lettered only after this many 503/429 answers. */
    static final int MAX_ATTEMPTS = 5;
    /** The workers' retry tiers. */
    private static final String RETRY_DELAYS = "1s,5s,20s";
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\"\\s*:\\s*\"([^\"]+)\"");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    /** A broker JVM restarted after a SIGKILL recovers its logs first: on a loaded machine that takes minutes. */
    private static final Duration BROKER_START_TIMEOUT = Duration.ofMinutes(5);

    private final int jobs;
    private final long seed;
    private final double scale;
    private final Path dir;
    private final PrintWriter out;
    private final List<ChaosReport.Fault> faults = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> workerExitCodes = new ConcurrentHashMap<>();
    private final long start = System.nanoTime();

    /**
     * @param jobs jobs to submit
     * @param seed seed of the fault schedule (which worker, when)
     * @param scale fault durations as a fraction of the full-size ones (20 s outage at 1.0)
     * @param dir working directory: cluster data and service logs
     */
    public ChaosRun(int jobs, long seed, double scale, Path dir, PrintWriter out) {
        this.jobs = jobs;
        this.seed = seed;
        this.scale = scale;
        this.dir = dir;
        this.out = out;
    }

    public ChaosReport run() throws Exception {
        Random random = new Random(seed);
        // The registry is this run's own (not the cluster's), on a fixed port and a storage directory, so that it can
        // be stopped and started again with the same URL and the same schema ids.
        LocalSchemaRegistry.Config registryConfig = LocalSchemaRegistry.Config.builder().port(freePort())
                .storageDir(dir.resolve("registry")).build();
        LocalSchemaRegistry[] registry = {LocalSchemaRegistry.start(registryConfig)};
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.builder().brokers(3).schemaRegistry(false)
                .kafkaNodeProcesses(true).kafkaDataDir(dir.resolve("kafka")).startupTimeout(BROKER_START_TIMEOUT).build());
                LocalOpenAiStub stub = LocalOpenAiStub.start(
                        LocalOpenAiStub.Behaviour.instant().withFixedLatency(Duration.ofMillis(20)))) {
            Map<String, String> base = new HashMap<>();
            base.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
            base.put(SchemaRegistryKeys.URL.name(), registry[0].url());
            Path logs = dir.resolve("logs");
            List<ServiceJvm> workers = new ArrayList<>();
            List<ServiceJvm> all = new CopyOnWriteArrayList<>();
            int[] nextWorker = {0};
            ServiceJvm[] aggregator = new ServiceJvm[1];
            try {
                int producerPort = freePort();
                Map<String, String> producerEnv = new HashMap<>(base);
                producerEnv.put(ProducerServiceConfig.HTTP_PORT.name(), String.valueOf(producerPort));
                producerEnv.put(ProducerServiceConfig.TOPIC_PARTITIONS.name(), String.valueOf(PARTITIONS));
                ServiceJvm producer = ServiceJvm.start("producer", "producer", producerEnv, logs);
                all.add(producer);

                int aggregatorPort = freePort();
                Map<String, String> aggregatorEnv = new HashMap<>(base);
                aggregatorEnv.put(AggregatorConfig.HTTP_PORT.name(), String.valueOf(aggregatorPort));
                aggregatorEnv.put(AggregatorConfig.STATE_DIR.name(), dir.resolve("aggregator-state").toString());
                aggregatorEnv.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
                aggregatorEnv.put(AggregatorConfig.TOPIC_PARTITIONS.name(), String.valueOf(PARTITIONS));
                // Like the workers': the SIGKILLed aggregator's partitions move to its replacement after 6 s, not
                // after the consumer's default 45 s session timeout.
                aggregatorEnv.put(KafkaSettings.PREFIX + "STREAMS_SESSION_TIMEOUT_MS", "6000");
                aggregatorEnv.put(KafkaSettings.PREFIX + "STREAMS_HEARTBEAT_INTERVAL_MS", "1000");
                aggregator[0] = ServiceJvm.start("aggregator-0", "aggregator", aggregatorEnv, logs);
                all.add(aggregator[0]);

                Map<String, String> workerEnv = new HashMap<>(base);
                workerEnv.put(WorkerConfig.HTTP_PORT.name(), "0");
                workerEnv.put(WorkerConfig.TOPIC_PARTITIONS.name(), String.valueOf(PARTITIONS));
                workerEnv.put(WorkerConfig.MAX_IN_FLIGHT.name(), "20");
                workerEnv.put(WorkerConfig.COMMIT_INTERVAL.name(), "500ms");
                workerEnv.put(WorkerConfig.RETRY_DELAYS.name(), RETRY_DELAYS);
                workerEnv.put(WorkerConfig.MAX_ATTEMPTS.name(), String.valueOf(MAX_ATTEMPTS));
                workerEnv.put(LlmConfig.PROVIDER.name(), "openai");
                workerEnv.put(LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl());
                workerEnv.put(LlmConfig.OPENAI_API_KEY.name(), "chaos-key");
                workerEnv.put(ResilienceConfig.BREAKER_ENABLED.name(), "false");
                workerEnv.put(KafkaSettings.PREFIX + "CONSUMER_SESSION_TIMEOUT_MS", "6000");
                workerEnv.put(KafkaSettings.PREFIX + "CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
                java.util.function.Supplier<ServiceJvm> newWorker = () -> {
                    String id = "worker-" + nextWorker[0]++;
                    Map<String, String> env = new HashMap<>(workerEnv);
                    env.put(WorkerConfig.WORKER_ID.name(), id);
                    ServiceJvm w = ServiceJvm.start(id, "worker", env, logs);
                    all.add(w);
                    return w;
                };
                workers.add(newWorker.get());
                awaitReady(producerPort, "producer");
                awaitWorker(workers.getFirst());
                awaitReady(aggregatorPort, "aggregator");

                Map<String, String> clientEnv = new HashMap<>(base);
                ClientConfig clientConfig = ClientConfig.from(ConfigSource.of(clientEnv));
                Topics topics = Topics.create(clientConfig.topics(), SchemaRegistryClient.create(clientConfig.registry()), false);
                TopicNames names = TopicNames.defaults();
                try (CommittedResults results = new CommittedResults(
                        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()), names.results(),
                        topics.results().valueDeserializer());
                        DeadLetters deadLetters = new DeadLetters(cluster.bootstrapServers(), names.deadLetters())) {
                    Duration schedule = Duration.ofMillis((long) (75_000 * scale));
                    Set<String> accepted = ConcurrentHashMap.newKeySet();
                    AtomicLong refused = new AtomicLong();
                    CountDownLatch faultsOver = new CountDownLatch(1);
                    Thread submitter = Thread.ofPlatform().daemon(true).name("chaos-submit").start(
                            () -> submit(producerPort, schedule, accepted, refused, faultsOver));

                    // (2) scale 1 -> 3
                    sleep(schedule, 0.05);
                    fault("scale workers 1 -> 3");
                    workers.add(newWorker.get());
                    workers.add(newWorker.get());
                    // (1) SIGKILL a worker mid-flight, start a replacement
                    sleep(schedule, 0.10 + random.nextDouble() * 0.05);
                    ServiceJvm victim = workers.remove(random.nextInt(workers.size()));
                    fault("SIGKILL " + victim.name() + " and start a replacement");
                    workerExitCodes.put(victim.name() + " (SIGKILL)", victim.kill());
                    workers.add(newWorker.get());
                    // (4) provider outage (503) then 429 burst with Retry-After
                    sleep(schedule, 0.10);
                    fault("provider 503 for " + seconds(20));
                    stub.outage(LocalOpenAiStub.Outage.UNAVAILABLE_503);
                    Thread.sleep(seconds(20).toMillis());
                    fault("provider 429 (Retry-After: 1) for " + seconds(5));
                    stub.outage(LocalOpenAiStub.Outage.RATE_LIMITED_429);
                    Thread.sleep(seconds(5).toMillis());
                    stub.outage(LocalOpenAiStub.Outage.NONE);
                    // (5) provider 401 - must pause, never dead-letter
                    sleep(schedule, 0.05);
                    fault("provider 401 for " + seconds(10));
                    stub.outage(LocalOpenAiStub.Outage.UNAUTHORIZED_401);
                    Thread.sleep(seconds(10).toMillis());
                    stub.outage(LocalOpenAiStub.Outage.NONE);
                    // (7) poison pills on the jobs topic
                    fault("20 poison pills written to " + names.jobs());
                    int pills = writePoisonPills(cluster.bootstrapServers(), names.jobs(), random);
                    // (8) SIGKILL the aggregator and restart it
                    sleep(schedule, 0.05);
                    fault("SIGKILL aggregator and restart it");
                    aggregator[0].kill();
                    aggregator[0] = ServiceJvm.start("aggregator-1", "aggregator", aggregatorEnv, logs);
                    all.add(aggregator[0]);
                    // (3) SIGKILL one broker process of three, restart it on its data
                    sleep(schedule, 0.05);
                    int broker = 1 + random.nextInt(2);
                    fault("SIGKILL broker " + broker + " (pid " + cluster.kafka().brokerPid(broker).orElse(-1)
                            + "), restart it after " + seconds(10));
                    cluster.kafka().killBroker(broker);
                    Thread.sleep(seconds(10).toMillis());
                    cluster.kafka().startBroker(broker);
                    fault("broker " + broker + " started");
                    // (6) schema registry stopped, then started again on its port and storage
                    sleep(schedule, 0.02);
                    fault("stop the schema registry for " + seconds(10));
                    registry[0].close();
                    Thread.sleep(seconds(10).toMillis());
                    registry[0] = LocalSchemaRegistry.start(registryConfig);
                    fault("schema registry started");
                    long lastFault = System.nanoTime(); // the end of the last fault that breaks something; scaling down only drains
                    faultsOver.countDown();
                    // (2) scale back 3 -> 1 with SIGTERM
                    submitter.join();
                    sleep(schedule, 0.05);
                    fault("scale workers 3 -> 1 (SIGTERM)");
                    while (workers.size() > 1) {
                        ServiceJvm w = workers.removeFirst();
                        workerExitCodes.put(w.name() + " (SIGTERM)", w.stop(Duration.ofSeconds(60)));
                    }

                    awaitQuiet(results, stub, accepted.size());
                    long settled = results.lastResultNanos();
                    AggregatorTotals totals = aggregatorTotals(aggregatorPort, results.distinct());
                    for (ServiceJvm w : workers) {
                        workerExitCodes.put(w.name() + " (SIGTERM)", w.stop(Duration.ofSeconds(60)));
                    }
                    workers.clear();
                    Map<String, Long> lag = lagAtEnd(cluster.admin(), Map.of(
                            WorkerConfig.GROUP_ID.defaultValue().orElseThrow(), workerTopics(names),
                            AggregatorConfig.APPLICATION_ID.defaultValue().orElseThrow(), List.of(names.results())));
                    return ChaosReport.of(jobs, seed, accepted, refused.get(), results.snapshot(), stub, totals.total(),
                            lag, Math.max(0, settled - lastFault) / 1e9, List.copyOf(faults), Map.copyOf(workerExitCodes),
                            pills, deadLetters.reasons(), (System.nanoTime() - start) / 1e9);
                }
            } finally {
                for (ServiceJvm w : workers) {
                    w.stop(Duration.ofSeconds(30));
                }
                all.forEach(ServiceJvm::close);
            }
        } finally {
            registry[0].close();
        }
    }

    private Duration seconds(int fullSize) {
        return Duration.ofMillis((long) (fullSize * 1000 * scale));
    }

    private void sleep(Duration schedule, double fraction) throws InterruptedException {
        Thread.sleep((long) (schedule.toMillis() * fraction));
    }

    private void fault(String what) {
        double at = (System.nanoTime() - start) / 1e9;
        faults.add(new ChaosReport.Fault(at, what));
        out.printf("[%6.1f s] fault: %s%n", at, what);
        out.flush();
    }

    /**
     * Posts the jobs one by one at a steady pace over {@code schedule}, 16 at a time; the last {@link #heldBack()} jobs
     * wait until {@code faultsOver}, so results still arrive after the last fault and the time to settle measures
     * the recovery from it.
     */
    private void submit(int port, Duration schedule, Set<String> accepted, AtomicLong refused, CountDownLatch faultsOver) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/jobs");
        long pace = schedule.toNanos() / Math.max(1, jobs);
        Semaphore permits = new Semaphore(16);
        long t0 = System.nanoTime();
        int firstHeldBack = jobs - heldBack();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < jobs; i++) {
                if (i == firstHeldBack) {
                    faultsOver.await();
                    t0 = System.nanoTime() - i * pace;
                }
                long due = t0 + i * pace;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                permits.acquire();
                String body = "{\"tenant\":\"chaos\",\"model\":\"chaos-model\",\"idempotencyKey\":\"chaos-" + seed + "-" + i
                        + "\",\"maxTokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"job " + i + "\"}]}";
                pool.submit(() -> {
                    try {
                        for (int attempt = 0; attempt < 20; attempt++) {
                            try {
                                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() == 202 || r.statusCode() == 200) {
                                    Matcher m = JOB_ID.matcher(r.body());
                                    if (m.find()) {
                                        accepted.add(m.group(1));
                                    }
                                    return;
                                }
                            } catch (java.io.IOException e) {
                                // the producer is busy or a broker is moving: send again (same idempotency key)
                            }
                            Thread.sleep(500);
                        }
                        refused.incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        permits.release();
                    }
                    return;
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Jobs submitted only after the last fault: 5 %, at least 1. */
    private int heldBack() {
        return Math.max(1, jobs / 20);
    }

    private static int writePoisonPills(String bootstrap, String topic, Random random) {
        Map<String, Object> config = new HashMap<>();
        config.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(org.apache.kafka.clients.producer.ProducerConfig.ACKS_CONFIG, "all");
        int n = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 20; i++) {
                byte[] value = switch (i % 4) {
                    case 0 -> ("not avro " + i).getBytes(StandardCharsets.UTF_8);
                    case 1 -> new byte[] {7, 0, 0, 0, 1, 2, 4, 6};
                    case 2 -> new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) (0xf0 + random.nextInt(15)), 2, 4};
                    default -> new byte[] {0, 0};
                };
                producer.send(new ProducerRecord<>(topic, "poison-" + i, value));
                n++;
            }
            producer.flush();
        }
        return n;
    }

    /** Waits until no result and no provider call for a quiet spell (bounded), with all accepted jobs done or not. */
    private void awaitQuiet(CommittedResults results, LocalOpenAiStub stub, int accepted) throws InterruptedException {
        Duration quiet = Duration.ofMillis((long) Math.max(8_000, 30_000 * scale));
        long deadline = System.nanoTime() + Duration.ofMillis((long) Math.max(60_000, 300_000 * scale)).toNanos();
        while (System.nanoTime() < deadline) {
            long idle = System.nanoTime() - Math.max(results.lastResultNanos(), stub.lastCallNanos());
            if (idle > quiet.toNanos() || (results.distinct() >= accepted && idle > 3_000_000_000L)) {
                return;
            }
            Thread.sleep(250);
        }
    }

    private record AggregatorTotals(long total) {}

    /** The aggregator's overall total once it reaches {@code expected} or stops changing (bounded). */
    private static AggregatorTotals aggregatorTotals(int port, int expected) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Pattern total = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/stats/totals"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = total.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) {
                    long now = Long.parseLong(m.group(1));
                    if (now >= expected && now == last) {
                        return new AggregatorTotals(now); // reached and stable: a late double count would show here
                    }
                    last = now;
                    if (now >= expected) {
                        Thread.sleep(2_000);
                        continue;
                    }
                }
            } catch (java.io.IOException e) {
                // restarting or restoring: ask again
            }
            Thread.sleep(500);
        }
        return new AggregatorTotals(last);
    }

    /** The topics the workers' group reads: the jobs topic and every retry tier of {@link #RETRY_DELAYS}. */
    private static List<String> workerTopics(TopicNames names) {
        List<String> topics = new ArrayList<>();
        topics.add(names.jobs());
        topics.addAll(names.retries(RETRY_DELAYS.split(",").length));
        return topics;
    }

    /**
     * Records not yet committed, per group ("group on topics"), over every partition of the topics each group reads;
     * asked again for up to 20 s while any is above zero, since the last commits follow the last records by a commit
     * interval.
     */
    private static Map<String, Long> lagAtEnd(Admin admin, Map<String, List<String>> topicsByGroup) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            Map<String, Long> lag = new java.util.TreeMap<>();
            for (var e : topicsByGroup.entrySet()) {
                lag.put(e.getKey() + " on " + String.join(",", e.getValue()), lag(admin, e.getKey(), e.getValue()));
            }
            if (lag.values().stream().allMatch(l -> l == 0) || System.nanoTime() > deadline) {
                return lag;
            }
            Thread.sleep(500);
        }
    }

    /**
     * Records of {@code topics} (all their partitions) that {@code group} has not consumed: the records a
     * {@code read_committed} consumer finds from the group's committed offset on. Not the end offset minus the
     * committed one: a transactional writer leaves a commit marker after its last record, and an exactly-once consumer
     * commits the offset after that record, below the marker.
     */
    static long lag(Admin admin, String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().values().forEach(d -> d.partitions().forEach(
                p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> from = new HashMap<>();
        Map<TopicPartition, Long> end = new HashMap<>();
        for (var e : admin.listOffsets(latest).all().get().entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            long start = c == null ? 0 : c.offset();
            if (start < e.getValue().offset()) {
                from.put(e.getKey(), start);
                end.put(e.getKey(), e.getValue().offset());
            }
        }
        if (from.isEmpty()) {
            return 0;
        }
        String bootstrap = admin.describeCluster().nodes().get().stream()
                .map(n -> n.host() + ":" + n.port()).collect(java.util.stream.Collectors.joining(","));
        long unconsumed = 0;
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "chaos-lag")) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline
                    && end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                unconsumed += consumer.poll(Duration.ofMillis(200)).count();
            }
        }
        return unconsumed;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitReady(int port, String what) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(what + " not ready on port " + port + " after " + START_TIMEOUT);
    }

    private static void awaitWorker(ServiceJvm worker) throws InterruptedException {
        if (!worker.awaitLog("started", START_TIMEOUT)) {
            throw new IllegalStateException(worker.name() + " did not start within " + START_TIMEOUT);
        }
    }

    /** The dead-letter topic: a count of records per reason header. */
    private static final class DeadLetters implements AutoCloseable {
        private final Map<String, Integer> reasons = new ConcurrentHashMap<>();
        private final Thread thread;
        private volatile boolean closed;

        DeadLetters(String bootstrap, String topic) {
            KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, "chaos-dlq");
            consumer.subscribe(List.of(topic));
            thread = Thread.ofPlatform().name("chaos-dlq").start(() -> {
                try (consumer) {
                    while (!closed) {
                        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                            if (r.key() == null || !r.key().startsWith("poison-")) {
                                reasons.merge("job (not a poison pill)", 1, Integer::sum);
                                continue;
                            }
                            String reason = "unknown";
                            for (Header h : r.headers()) {
                                String key = h.key().toLowerCase(java.util.Locale.ROOT);
                                if ((key.contains("reason") || key.contains("error")) && h.value() != null) {
                                    reason = new String(h.value(), StandardCharsets.UTF_8);
                                    break;
                                }
                            }
                            reasons.merge(reason, 1, Integer::sum);
                        }
                    }
                } catch (RuntimeException e) {
                    // closing
                }
            });
        }

        Map<String, Integer> reasons() {
            return new LinkedHashMap<>(new java.util.TreeMap<>(reasons));
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.join(10_000);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-" + System.nanoTime());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

}
