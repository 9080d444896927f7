package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.llm.LatencyDistribution;
import io.promptq.llm.LlmProviders;
import io.promptq.llm.SimulatedLlm;
import io.promptq.llm.SimulatedSettings;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.kafka.PauseReason;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 14 s provider outage, run twice side by side (separate topics, groups and simulated providers): with the
 * circuit breaker no job is dead-lettered - jobs are parked on a retry tier until the breaker's next trial, without
 * burning attempts and without pausing any partition - and every
 * job succeeds after recovery; without it the same outage exhausts the retry budget (0.5s,1s,2s tiers, 5 attempts:
 * about 5.5 s) and dead-letters the jobs.
 */
@PromptqCluster
class ProviderOutageIT {

    private static final Logger log = LoggerFactory.getLogger(ProviderOutageIT.class);
    private static final int JOBS = 60;
    private static final Duration OUTAGE = Duration.ofSeconds(14);

    @Test
    void breakerTurnsAnOutageShorterThanTheRetryBudgetIntoZeroDeadLetters(ClusterInfo cluster) throws Exception {
        try (WorkerItKit guarded = WorkerItKit.create(cluster, "outage-breaker", 6, 3);
                WorkerItKit unguarded = WorkerItKit.create(cluster, "outage-nobreaker", 6, 3)) {
            SimulatedLlm guardedLlm = simulated();
            SimulatedLlm unguardedLlm = simulated();
            guardedLlm.setOutage(true);
            unguardedLlm.setOutage(true);
            List<String> guardedJobs = guarded.sendJobs("g", JOBS);
            List<String> unguardedJobs = unguarded.sendJobs("u", JOBS);

            Map<String, String> common = new HashMap<>(Map.of(
                    WorkerConfig.RETRY_DELAYS.name(), "500ms,1s,2s",
                    WorkerConfig.MAX_ATTEMPTS.name(), "5",
                    WorkerConfig.PARTITION_CONCURRENCY.name(), "5"));
            Map<String, String> withBreaker = new HashMap<>(common);
            withBreaker.putAll(Map.of(
                    "PROMPTQ_LLM_BREAKER_ENABLED", "true",
                    "PROMPTQ_LLM_BREAKER_FAILURE_RATE", "50",
                    "PROMPTQ_LLM_BREAKER_MIN_CALLS", "5",
                    "PROMPTQ_LLM_BREAKER_WINDOW", "10",
                    "PROMPTQ_LLM_BREAKER_OPEN_DURATION", "3s",
                    "PROMPTQ_LLM_BREAKER_HALF_OPEN_CALLS", "1"));
            Map<String, String> withoutBreaker = new HashMap<>(common);
            withoutBreaker.put("PROMPTQ_LLM_BREAKER_ENABLED", "false");

            WorkerService a = guarded.start("breaker", withBreaker, guardedLlm);
            WorkerService b = unguarded.start("nobreaker", withoutBreaker, unguardedLlm);

            AtomicInteger maxBreakerPaused = new AtomicInteger();
            long end = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < end) {
                maxBreakerPaused.accumulateAndGet(guarded.paused(a, PauseReason.BREAKER), Math::max);
                Thread.sleep(200);
            }
            long callsDuringOutageWith = guardedLlm.calls();
            long callsDuringOutageWithout = unguardedLlm.calls();
            guardedLlm.setOutage(false);
            unguardedLlm.setOutage(false);

            await().atMost(Duration.ofSeconds(60)).until(() -> guarded.outcomes().hasAll(guardedJobs)
                    && unguarded.outcomes().hasAll(unguardedJobs));

            long deadWith = count(guarded, guardedJobs, JobStatus.DEAD_LETTERED);
            long deadWithout = count(unguarded, unguardedJobs, JobStatus.DEAD_LETTERED);
            log.info("{} s outage, {} jobs each. With breaker: {} succeeded, {} dead-lettered, {} provider calls during the "
                    + "outage, up to {} partitions paused for the breaker, {} retries. Without breaker: {} succeeded, {} "
                    + "dead-lettered, {} provider calls during the outage, {} retries.",
                    OUTAGE.toSeconds(), JOBS, count(guarded, guardedJobs, JobStatus.SUCCEEDED), deadWith, callsDuringOutageWith,
                    maxBreakerPaused.get(), a.stats().retriesScheduled(),
                    count(unguarded, unguardedJobs, JobStatus.SUCCEEDED), deadWithout, callsDuringOutageWithout,
                    b.stats().retriesScheduled());

            assertThat(deadWith).as("dead letters with the breaker").isZero();
            assertThat(count(guarded, guardedJobs, JobStatus.SUCCEEDED)).isEqualTo(JOBS);
            assertThat(guarded.outcomes().deadLetters).isEmpty();
            assertThat(maxBreakerPaused.get()).as("partitions paused for the open breaker: none, jobs are parked").isZero();
            assertThat(a.stats().retriesScheduled()).as("parked jobs").isPositive();
            assertThat(deadWithout).as("dead letters without the breaker").isGreaterThan(JOBS / 2);
        }
    }

    private static SimulatedLlm simulated() {
        return LlmProviders.simulated(SimulatedSettings.builder().latency(LatencyDistribution.fixed(Duration.ofMillis(50))).build());
    }

    private static long count(WorkerItKit kit, List<String> ids, JobStatus status) {
        return ids.stream().filter(id -> kit.outcomes().result(id) != null && kit.outcomes().result(id).getStatus() == status)
                .count();
    }
}
