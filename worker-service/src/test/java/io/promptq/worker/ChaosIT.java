package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.client.CommittedResults;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobStats;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.JvmProcess;
import io.promptq.testkit.OpenAiStub;
import io.promptq.testkit.PromptqCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11's chaos test: worker replicas in JVMs of their own are killed with SIGKILL at random moments while
 * thousands of jobs run against an OpenAI-compatible stub that answers slowly (50-150 ms), fails some calls
 * transiently (10 %, HTTP 503: the job goes to a retry tier, the second tier due seconds later) and some
 * permanently (1 %, HTTP 400: dead-lettered). Each kill is followed by a replacement replica. Then, reading the
 * results topic {@code read_committed}:
 * <ul>
 *   <li>every submitted job has exactly one result: none missing, no duplicates;</li>
 *   <li>no fork: no job both DEAD_LETTERED and SUCCEEDED (implied by "one result", checked apart because it is the
 *       worse failure);</li>
 *   <li>the provider calls counted at the stub (by the {@code X-Promptq-Job-Id} header) stay within
 *       <pre>calls &lt;= J + T + sum over kills k of (min(F_k, M) + C_k)</pre>
 *       where J = jobs submitted; T = 503 answers of the stub (each transient failure entitles its job to one more
 *       attempt); M = {@code PROMPTQ_WORKER_MAX_IN_FLIGHT} of a replica; F_k = calls in flight at the stub when
 *       kill k was sent (all replicas', so at least the killed one's); C_k = calls the stub answered in the commit
 *       window (commit interval + 3 s) before kill k - what the killed replica may have finished in its open
 *       transaction, which the kill aborts, so those jobs run again. Finished work behind the committed position
 *       must not count: a finished record is never re-run (issue 11, part 2).</li>
 * </ul>
 * Before the transactional outcomes and the finished-offset metadata of issue 11 the worker was at-least-once and
 * this test failed on duplicates and forks (52 and 127 duplicated jobs in two runs); the summary line it prints
 * gives every figure.
 *
 * <p>Size and time: {@value #JOBS_PROPERTY} jobs (default 5,000), {@value #KILLS_PROPERTY} kills (default 4),
 * at most {@value #TIMEOUT_PROPERTY} seconds for all results (default 180), seed {@value #SEED_PROPERTY}
 * (default: random, printed). Worker logs go to {@code target/chaos/<run>/}.
 */
@PromptqCluster
@Tag("chaos")
class ChaosIT {

    static final String JOBS_PROPERTY = "promptq.chaos.jobs";
    static final String KILLS_PROPERTY = "promptq.chaos.kills";
    static final String TIMEOUT_PROPERTY = "promptq.chaos.timeout.seconds";
    static final String SEED_PROPERTY = "promptq.chaos.seed";

    private static final int JOBS = Integer.getInteger(JOBS_PROPERTY, 5_000);
    private static final int KILLS = Integer.getInteger(KILLS_PROPERTY, 4);
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong(TIMEOUT_PROPERTY, 180));
    private static final int REPLICAS = 3;
    private static final int PARTITIONS = 6;
    private static final int MAX_IN_FLIGHT = 20;
    private static final Duration COMMIT_INTERVAL = Duration.ofMillis(500);
    /**
     * How far back a killed replica's uncommitted work can reach: its commit interval, plus the time a commit can
     * take or back off on a loaded 2-core machine running five JVMs (one run with a 1 s allowance exceeded the bound
     * by 33 calls while every job still had exactly one result).
     */
    private static final Duration COMMIT_WINDOW = COMMIT_INTERVAL.plusSeconds(3);
    private static final List<String> RETRY_DELAYS = List.of("200ms", "3s");
    private static final Duration WORKER_START = Duration.ofSeconds(90);
    /** After the last result: long enough for several commits and a redelivery to show a late duplicate (results, totals). */
    private static final Duration QUIET = Duration.ofSeconds(5);

    /** One kill: which replica, and what the stub saw at that moment. */
    record Kill(String replica, long atMillis, int inFlight, long answeredInCommitWindow, int resultsSoFar) {}

    @Test
    void everyJobHasExactlyOneCommittedResultAndProviderCallsStayBoundedWhileWorkersAreKilled(ClusterInfo cluster)
            throws Exception {
        long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
        Random random = new Random(seed);
        OpenAiStub.Behaviour behaviour = new OpenAiStub.Behaviour(Duration.ofMillis(50), Duration.ofMillis(150), 0.10, 0.01, seed);
        List<JvmProcess> replicas = new CopyOnWriteArrayList<>();
        List<Kill> kills = new ArrayList<>();
        try (WorkerItKit kit = WorkerItKit.create(cluster, "chaos", PARTITIONS, RETRY_DELAYS.size());
                OpenAiStub stub = OpenAiStub.start(behaviour);
                CommittedResults results = new CommittedResults(KafkaSettings.of(cluster.bootstrapServers())
                        .consumerConfig(kit.prefix + "-committed", kit.prefix + "-committed"), kit.names.results(),
                        kit.topics.results().valueDeserializer());
                AggregatorService aggregator = startAggregator(cluster, kit)) {
            try {
                Path logs = Path.of("target", "chaos", kit.prefix);
                Map<String, String> env = workerEnv(kit, stub);
                int[] next = {0};
                for (int i = 0; i < REPLICAS; i++) {
                    replicas.add(startReplica(env, logs, "w" + next[0]++));
                }
                for (JvmProcess replica : replicas) {
                    replica.awaitLog("Worker " + replica.name() + " started", WORKER_START);
                }

                long start = System.nanoTime();
                Set<String> submitted = new HashSet<>(kit.sendJobs("chaos", JOBS));
                long deadline = start + TIMEOUT.toNanos();
                while (kills.size() < KILLS && results.distinct() < JOBS && System.nanoTime() < deadline) {
                    Thread.sleep(1_000 + random.nextInt(3_000));
                    if (results.distinct() >= JOBS) {
                        break;
                    }
                    JvmProcess victim = replicas.remove(random.nextInt(replicas.size()));
                    Kill kill = new Kill(victim.name(), millisSince(start), stub.inFlight(), stub.answeredWithin(COMMIT_WINDOW),
                            results.distinct());
                    victim.kill();
                    kills.add(kill);
                    JvmProcess replacement = startReplica(env, logs, "w" + next[0]++);
                    replicas.add(replacement);
                    replacement.awaitLog("Worker " + replacement.name() + " started", WORKER_START);
                }
                while (results.distinct() < JOBS && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                // The aggregator first reaches the total, then the quiet window below also watches it for a late
                // duplicate: one 5 s wait for both.
                awaitAggregatorTotal(aggregator, JOBS);
                awaitQuiet(stub, results, deadline);
                long wallMillis = millisSince(start);

                Tally tally = Tally.of(submitted, results.snapshot(), stub, kills);
                System.out.printf("ChaosIT summary (seed %d, wall time %.1f s, %d replicas of %d in flight, commit every %d ms): %s%n",
                        seed, wallMillis / 1000.0, REPLICAS, MAX_IN_FLIGHT, COMMIT_INTERVAL.toMillis(), tally);

                assertThat(tally.calls().keySet()).as("jobs the stub was called for").isSubsetOf(submitted);
                assertThat(tally.missing()).as("jobs without a committed result (of %d)", JOBS).isEmpty();
                assertThat(tally.forks()).as("jobs both DEAD_LETTERED and SUCCEEDED").isEmpty();
                assertThat(tally.duplicates()).as("jobs with more than one committed result").isEmpty();
                assertThat(submitted).as("every job reached the provider").allSatisfy(id -> assertThat(tally.calls()).containsKey(id));
                assertThat(tally.totalCalls()).as("provider calls: jobs + retries + in-flight and open-transaction work at each kill")
                        .isLessThanOrEqualTo(tally.bound());
                JobStats totals = aggregator.totals();
                long succeeded = results.snapshot().values().stream().filter(s -> s.contains(JobStatus.SUCCEEDED)).count();
                assertThat(totals.getTotal()).as("jobs counted by the aggregator").isEqualTo(JOBS);
                assertThat(totals.getSucceeded()).as("succeeded jobs counted by the aggregator").isEqualTo(succeeded);
                assertThat(totals.getSucceeded() + totals.getDeadLettered() + totals.getExpired())
                        .as("terminal outcomes counted by the aggregator").isEqualTo(JOBS);
            } finally {
                replicas.forEach(JvmProcess::close);
            }
        }
    }

    /** An aggregator in this JVM on the run's results topic, so its totals can be held against the results. */
    private static AggregatorService startAggregator(ClusterInfo cluster, WorkerItKit kit) throws Exception {
        Map<String, String> env = new HashMap<>(kit.names.toConfig());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(AggregatorConfig.APPLICATION_ID.name(), kit.prefix + "-aggregator");
        env.put(AggregatorConfig.STATE_DIR.name(), Files.createTempDirectory("chaos-aggregator").toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), String.valueOf(PARTITIONS));
        AggregatorService aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        aggregator.awaitRunning();
        return aggregator;
    }

    /** Waits until the aggregator's overall total counts {@code jobs} (at most 60 s). */
    private static void awaitAggregatorTotal(AggregatorService aggregator, int jobs) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (total(aggregator) < jobs && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static long total(AggregatorService aggregator) {
        try {
            return aggregator.totals().getTotal();
        } catch (QueryUnavailableException e) {
            return -1; // rebalancing: ask again
        }
    }

    /** What the run produced, measured against what it must. */
    record Tally(int jobs, Set<String> missing, Map<String, List<JobStatus>> duplicates, Set<String> forks,
            long results, Map<String, Integer> calls, long totalCalls, long succeeded, long retries, long permanent,
            long overcalled, List<Kill> kills, long killAllowance) {

        static Tally of(Set<String> submitted, Map<String, List<JobStatus>> byJob, OpenAiStub stub, List<Kill> kills) {
            Set<String> missing = new HashSet<>(submitted);
            missing.removeAll(byJob.keySet());
            Map<String, List<JobStatus>> duplicates = byJob.entrySet().stream().filter(e -> e.getValue().size() > 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            Set<String> forks = duplicates.entrySet().stream()
                    .filter(e -> e.getValue().contains(JobStatus.SUCCEEDED) && e.getValue().contains(JobStatus.DEAD_LETTERED))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            Map<String, Integer> calls = stub.callsByJob();
            long overcalled = calls.entrySet().stream().filter(e -> e.getValue() > 1 + stub.transientFailures(e.getKey())).count();
            long killAllowance = kills.stream().mapToLong(k -> Math.min(k.inFlight(), MAX_IN_FLIGHT) + k.answeredInCommitWindow()).sum();
            return new Tally(submitted.size(), missing, duplicates, forks, byJob.values().stream().mapToLong(List::size).sum(),
                    calls, calls.values().stream().mapToLong(Integer::longValue).sum(), stub.succeeded(),
                    stub.transientFailures(), stub.permanentFailures(), overcalled, List.copyOf(kills), killAllowance);
        }

        /** jobs + retries + for each kill (min(in flight, cap) + answered in the commit window). */
        long bound() {
            return jobs + retries + killAllowance;
        }

        @Override
        public String toString() {
            return jobs + " jobs, " + results + " committed results, " + missing.size() + " missing, " + duplicates.size()
                    + " duplicated jobs (" + (results - jobs + missing.size()) + " extra results), " + forks.size() + " forks; "
                    + totalCalls + " provider calls (" + succeeded + " succeeded, " + retries + " transient, " + permanent
                    + " permanent), bound " + bound() + " = " + jobs + " jobs + " + retries + " retries + " + killAllowance
                    + " for " + kills.size() + " kills; " + overcalled + " jobs called more often than their retries explain;"
                    + " kills " + kills;
        }
    }

    private static Map<String, String> workerEnv(WorkerItKit kit, OpenAiStub stub) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put(WorkerConfig.MAX_IN_FLIGHT.name(), String.valueOf(MAX_IN_FLIGHT));
        overrides.put(WorkerConfig.PARTITION_CONCURRENCY.name(), "10");
        overrides.put(WorkerConfig.COMMIT_INTERVAL.name(), COMMIT_INTERVAL.toMillis() + "ms");
        overrides.put(WorkerConfig.RETRY_DELAYS.name(), String.join(",", RETRY_DELAYS));
        overrides.put(LlmConfig.PROVIDER.name(), "openai");
        overrides.put(LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl());
        overrides.put(ResilienceConfig.BREAKER_ENABLED.name(), "false");
        overrides.put(ResilienceConfig.CALL_TIMEOUT.name(), "30s");
        // A killed member's partitions move after the session timeout: 6 s (the broker's minimum) instead of 45 s.
        overrides.put(KafkaSettings.PREFIX + "CONSUMER_SESSION_TIMEOUT_MS", "6000");
        overrides.put(KafkaSettings.PREFIX + "CONSUMER_HEARTBEAT_INTERVAL_MS", "1000");
        return kit.env(overrides);
    }

    private static JvmProcess startReplica(Map<String, String> env, Path logs, String id) {
        Map<String, String> own = new HashMap<>(env);
        own.put(WorkerConfig.WORKER_ID.name(), id);
        return JvmProcess.builder(WorkerMain.class.getName())
                .name(id)
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED")
                .env(own)
                .logFile(logs.resolve(id + ".log"))
                .start();
    }

    /** Waits until the stub has had no call in flight and no result arrived for {@link #QUIET}, or the deadline. */
    private static void awaitQuiet(OpenAiStub stub, CommittedResults results, long deadline) throws InterruptedException {
        long quietSince = System.nanoTime();
        long lastCalls = stub.totalCalls();
        long lastResults = results.total();
        while (System.nanoTime() - quietSince < QUIET.toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            if (stub.totalCalls() != lastCalls || results.total() != lastResults || stub.inFlight() > 0) {
                lastCalls = stub.totalCalls();
                lastResults = results.total();
                quietSince = System.nanoTime();
            }
        }
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
