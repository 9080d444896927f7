package io.promptq.cli.bench.internal;

import io.promptq.batch.BatchConfig;
import io.promptq.files.FilesConfig;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
import io.promptq.client.PromptqClient;
import io.promptq.config.ConfigSource;
import io.promptq.lifecycle.Closeables;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import io.promptq.metrics.Metrics;
import io.promptq.topic.TopicNames;
import io.promptq.kafka.TopicSpec;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.TopicSpecs;
import io.promptq.topic.Topics;
import io.promptq.worker.WorkerConfig;
import io.promptq.worker.WorkerService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The promptq services of one scenario on the run's cluster: fresh topics (jobs and results with P partitions, one
 * retry tier, dead letters, stats), an optional aggregator, workers added one by one into a fresh consumer group,
 * all calling one shared simulated provider, and a client to submit jobs. Closing it stops the services and
 * deletes the topics, so the next scenario starts clean.
 */
public final class ScenarioStack implements AutoCloseable {

    /** Reports a resource that failed to stop on the terminal; stopping goes on with the next one. */
    private static final BiConsumer<AutoCloseable, Exception> REPORT_STOP_FAILURE = (resource, e) -> System.err.println(
            "promptq bench: error while stopping " + resource.getClass().getSimpleName() + ": " + e);

    /** Retry delays of the workers: one tier (nothing fails in a benchmark, but the tier is consumed). */
    private static final String RETRY_DELAYS = "1s";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final BenchCluster bench;
    private final String scenario;
    private final StackSpec spec;
    private final TopicNames names;
    private final ConfigSource config;
    private final Topics topics;
    private final SimulatedLlm provider;
    private final List<WorkerService> workers = new CopyOnWriteArrayList<>();
    private AggregatorService aggregator;
    private PromptqClient client;
    private int nextWorker;

    private ScenarioStack(BenchCluster bench, String scenario, StackSpec spec) {
        this.bench = bench;
        this.scenario = scenario;
        this.spec = spec;
        this.names = new TopicNames(bench.name(scenario, "jobs"), bench.name(scenario, "retry"),
                bench.name(scenario, "dlq"), bench.name(scenario, "results"), bench.name(scenario, "totals"),
                bench.name(scenario, "windows"));
        Map<String, String> env = new HashMap<>();
        env.putAll(names.toConfig());
        env.put(WorkerConfig.GROUP_ID.name(), bench.name(scenario, "workers"));
        env.put(WorkerConfig.PARTITION_CONCURRENCY.name(), Integer.toString(spec.permits()));
        env.put(WorkerConfig.MAX_IN_FLIGHT.name(), Integer.toString(spec.workerCap()));
        env.put(WorkerConfig.BUFFER_PER_PARTITION.name(), Integer.toString(spec.bufferPerPartition()));
        env.put(WorkerConfig.RETRY_DELAYS.name(), RETRY_DELAYS);
        env.put(WorkerConfig.CREATE_TOPICS.name(), "false");
        env.put(WorkerConfig.HTTP_ENABLED.name(), "false");
        env.put(LlmConfig.PROVIDER.name(), "simulated");
        env.put(AggregatorConfig.APPLICATION_ID.name(), bench.name(scenario, "aggregator"));
        env.put(AggregatorConfig.STATE_DIR.name(), bench.stateDir(scenario).toString());
        env.put(AggregatorConfig.CREATE_TOPICS.name(), "false");
        env.put("PROMPTQ_HTTP_PORT", "0");
        env.putAll(spec.workerEnv());
        this.config = bench.config().with(env);
        this.topics = Topics.create(names, bench.registry(), true);
        this.provider = LlmProviders.simulated(SimulatedSettings.builder().latency(spec.latency()).build());
    }

    /** Creates the scenario's topics and starts its aggregator (if asked for) and client; no worker yet. */
    public static ScenarioStack start(BenchCluster bench, String scenario, StackSpec spec) {
        ScenarioStack stack = new ScenarioStack(bench, scenario, spec);
        try {
            stack.createTopics();
            // unkeyed (version 5) job ids whatever PROMPTQ_JOB_ID_KEY says: BenchJobs predicts them before submission
            stack.client = PromptqClient.create(ClientConfig.from(stack.config)
                    .toBuilder().sendTimeout(Duration.ofSeconds(60)).clientId(bench.name(scenario, "client"))
                    .jobIdKey(JobIdKey.none()).build());
            if (spec.aggregator()) {
                stack.aggregator = AggregatorService.start(AggregatorConfig.from(stack.config),
                        Metrics.prometheus("aggregator-service", scenario + "-aggregator"));
                stack.aggregator.awaitRunning(READY_TIMEOUT);
            }
            return stack;
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private void createTopics() {
        TopicSpecs wide = new TopicSpecs(names, spec.partitions(), Optional.of((short) 1));
        TopicSpecs narrow = new TopicSpecs(names, 1, Optional.of((short) 1));
        List<TopicSpec> topics = new ArrayList<>(List.of(wide.jobs(),
                narrow.retry(0, WorkerConfig.from(config).longestRetryDelay()), narrow.deadLetters(), wide.results(),
                wide.totals(), wide.windows(AggregatorConfig.from(config).windowRetention())));
        topics.addAll(wide.lifecycle(JobLifecycle.RETENTION.read(config)));
        topics.addAll(narrow.console());
        topics.addAll(narrow.batchApi(FilesConfig.from(config).retention(), BatchConfig.from(config).retention()));
        bench.provisionTopics(topics);
    }

    /** Partitions a group of workers consumes: the jobs topic and the one retry tier. */
    private int consumedPartitions() {
        return spec.partitions() + 1;
    }

    /** Starts one more worker in the scenario's group. */
    public synchronized WorkerService addWorker() {
        String id = scenario + "-worker-" + (++nextWorker);
        WorkerConfig cfg = WorkerConfig.from(config.with(WorkerConfig.WORKER_ID.name(), id));
        WorkerService worker = WorkerService.start(cfg, provider, Metrics.prometheus("worker-service", id));
        workers.add(worker);
        return worker;
    }

    /**
     * Waits until the group's partitions are all assigned and spread evenly (at most one apart) over the
     * workers, so that a measurement does not start during a rebalance.
     */
    public void awaitBalanced() throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int stable = 0;
        while (stable < 3) {
            int sum = 0;
            int min = Integer.MAX_VALUE;
            int max = 0;
            for (WorkerService w : workers) {
                int n = w.stats().assignedPartitions();
                sum += n;
                min = Math.min(min, n);
                max = Math.max(max, n);
                if (w.failure().isPresent()) {
                    throw new IllegalStateException("worker " + w.workerId() + " failed", w.failure().get());
                }
            }
            stable = sum == consumedPartitions() && max - min <= 1 ? stable + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + workers.size() + " workers of " + scenario
                        + " were not assigned all " + consumedPartitions() + " partitions within " + READY_TIMEOUT
                        + " (assigned " + sum + ")");
            }
            Thread.sleep(100);
        }
    }

    public SimulatedLlm provider() {
        return provider;
    }

    /** Follows the results topic from its current end. */
    public ResultCollector collectResults() {
        return ResultCollector.start(bench.kafka(), topics.results());
    }

    /** A submitter of jobs whose idempotency keys start with {@code phase}. */
    public Submitter submitter(String phase) {
        return new Submitter(client, scenario + "-" + phase);
    }

    @Override
    public void close() {
        Closeables.closeQuietly(client, REPORT_STOP_FAILURE);
        List<WorkerService> running = new ArrayList<>(workers);
        workers.clear();
        running.parallelStream().forEach(w -> Closeables.closeQuietly(w, REPORT_STOP_FAILURE));
        Closeables.closeQuietly(aggregator, REPORT_STOP_FAILURE);
        provider.close();
        bench.deleteTopics(List.of(names.jobs(), names.retry(0), names.deadLetters(), names.results(), names.totals(),
                names.windows()));
    }
}
