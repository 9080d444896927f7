package io.promptq.worker;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.lifecycle.Signals;
import io.promptq.metrics.Metrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one worker as a process, configured from the environment (see {@link WorkerConfig}). SIGTERM or SIGINT
 * stops it gracefully - intake stops, running jobs finish within {@code PROMPTQ_WORKER_SHUTDOWN_GRACE}, finished
 * offsets are committed - and the process exits with status 0. Exit status 2: invalid configuration; 1: the worker
 * could not start or failed - including an {@link Error} (e.g. OutOfMemoryError) in a job, after which the poll
 * loop commits what finished and stops, so the orchestrator restarts a fresh JVM; 3: the stop could not commit
 * finished work before the grace ended (it runs again at the partitions' next owner; the count is logged).
 */
public final class WorkerMain {

    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

    /** Exit status when a graceful stop could not commit finished work before its grace ended. */
    static final int EXIT_UNCOMMITTED = 3;

    private WorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        WorkerConfig config;
        try {
            config = WorkerConfig.from(ConfigSource.fromEnvironment());
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        // Before start-up, so that a SIGTERM arriving while the service starts still stops it cleanly (exit 0).
        CountDownLatch stop = new CountDownLatch(1);
        boolean signals = Signals.onTerminate(stop::countDown);
        PrometheusMeterRegistry registry = Metrics.prometheus("worker", config.workerId());
        WorkerService worker;
        try {
            worker = WorkerService.start(config, registry);
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            log.error("Worker could not start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            worker.close();
        }, "promptq-worker-shutdown"));
        if (!signals) {
            log.info("Signal handlers unavailable: SIGTERM stops the worker through the shutdown hook");
        }
        while (!stop.await(1, TimeUnit.SECONDS)) {
            if (!worker.isRunning()) {
                break;
            }
        }
        log.info("Stopping worker {}", config.workerId());
        worker.close();
        System.exit(exitStatus(worker.failure().isPresent(), worker.uncommittedAtStop()));
    }

    /** 1 if the worker failed, else 3 if a graceful stop left finished work uncommitted, else 0. */
    static int exitStatus(boolean failed, long uncommittedAtStop) {
        if (failed) {
            return 1;
        }
        return uncommittedAtStop > 0 ? EXIT_UNCOMMITTED : 0;
    }
}
