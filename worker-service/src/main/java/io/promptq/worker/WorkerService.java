package io.promptq.worker;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.llm.LlmProvider;
import io.promptq.llm.LlmProviders;
import io.promptq.worker.internal.WorkerRuntime;
import java.util.Objects;
import java.util.Optional;

/**
 * One worker replica, embeddable: several can run in one JVM (each with its own {@link WorkerConfig#workerId()},
 * the same group id, and e.g. one shared simulated provider). It joins the consumer group, processes jobs and
 * retries until {@link #close()}, which drains gracefully.
 *
 * <pre>{@code
 * WorkerService worker = WorkerService.start(WorkerConfig.from(ConfigSource.fromEnvironment()), registry);
 * ...
 * worker.close(); // stop intake, finish running jobs within the grace period, commit, leave the group
 * }</pre>
 */
public final class WorkerService implements AutoCloseable {

    private final WorkerRuntime runtime;
    private final WorkerConfig config;

    private WorkerService(WorkerConfig config, WorkerRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
    }

    /**
     * Starts a worker whose provider is built from {@code config.llm()} (and closed with the worker).
     *
     * @param registry meters go here; {@code /metrics} serves it
     */
    public static WorkerService start(WorkerConfig config, PrometheusMeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        LlmProvider provider = LlmProviders.create(config.llm());
        try {
            return new WorkerService(config, WorkerRuntime.start(config, provider, true, registry));
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    /**
     * Starts a worker calling {@code provider}, which it guards with {@code config.resilience()} but does not
     * close: it may be shared, e.g. one {@code SimulatedLlm} for three workers in one JVM.
     */
    public static WorkerService start(WorkerConfig config, LlmProvider provider, PrometheusMeterRegistry registry) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(provider, "provider");
        return new WorkerService(config, WorkerRuntime.start(config, provider, false, registry));
    }

    public String workerId() {
        return config.workerId();
    }

    public WorkerConfig config() {
        return config;
    }

    /** A cheap snapshot of progress counters (in flight, retries scheduled, completed, ...). */
    public WorkerStats stats() {
        return runtime.stats();
    }

    /** Jobs running now (cheap). */
    public int inFlight() {
        return runtime.loop().inFlight();
    }

    /** The HTTP port (useful with {@code PROMPTQ_HTTP_PORT=0}), or -1 when HTTP is off. */
    public int httpPort() {
        return runtime.httpPort();
    }

    /** Whether the poll loop is running. */
    public boolean isRunning() {
        return runtime.loop().running();
    }

    /** The error that stopped the poll loop, if it failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(runtime.loop().failure());
    }

    /**
     * Finished records the graceful stop could not commit before its grace ended (see {@link #close()}); they run
     * again at the next owner. 0 before the stop or if everything was committed.
     */
    public long uncommittedAtStop() {
        return runtime.loop().uncommittedAtStop();
    }

    /**
     * Stops gracefully: stop intake, let running jobs finish within {@link WorkerConfig#shutdownGrace()}, commit
     * finished offsets, leave the group, close. Idempotent; blocks until done.
     */
    @Override
    public void close() {
        runtime.close();
    }

    /** Simulates a crash: no waiting, no final commit, producer closed without flushing. For tests. */
    void crash() {
        runtime.crash();
    }
}
